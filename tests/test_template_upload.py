"""drive.file and the template: a hand-made Doc is named with the way out; `template upload` is that way."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import gspread
import pytest

from gmo_sync.backends.google.diagnosis import invisible_folder_message, invisible_template_message
from gmo_sync.core.config_file import set_value
from gmo_sync.core.problems import ConfigError
from tests.fakegoogle import clients
from tests.fakegoogle.docs import docx_text
from tests.fakegoogle.server import FakeGoogle
from tests.google_env import GoogleInvoke
from tests.test_google_protocols import protocol_docs
from tests.test_google_sheet import THREE, init_workspace, type_rows


@pytest.fixture
def three(gmo_google: GoogleInvoke, coordinator: gspread.Client) -> gspread.Spreadsheet:
    """A fresh Google workspace whose Заседания holds three held meetings."""
    book = init_workspace(gmo_google, coordinator)
    type_rows(book, "Заседания", THREE)
    return book


HAND_MADE = ["ПРОТОКОЛ № {{ номер }}", "Тема: {{ тема }}", "Шаблон, набранный вручную"]


def google_ids() -> dict[str, str]:
    return tomllib.loads(Path("gmo-sync.toml").read_text(encoding="utf-8"))["google"]


def error_line(output: str) -> str:
    (line,) = [line for line in output.splitlines() if line.startswith("Ошибка:")]
    return line.removeprefix("Ошибка: ")


def test_a_hand_made_template_doc_is_named_with_the_way_out_and_upload_is_it(
    gmo_google: GoogleInvoke,
    fake: FakeGoogle,
    three: gspread.Spreadsheet,
    google_home: Path,
) -> None:
    folder = google_ids()["protocols_folder_id"]
    doc = fake.act(
        {"action": "create_doc", "title": "Мой шаблон", "paragraphs": HAND_MADE, "parents": [folder]}
    )
    set_value(Path("gmo-sync.toml"), "google", "template_doc_id", doc)
    refused = gmo_google("protocols")
    assert refused.exit_code == 2, refused.output
    assert error_line(refused.output) == invisible_template_message(doc)
    assert "Файл → Скачать → Microsoft Word (.docx)" in refused.output and "template upload" in refused.output
    assert protocol_docs(fake) == {}

    # the coordinator downloads the Doc as .docx (what Docs' «Скачать» gives) and uploads it through gmo-sync
    downloaded = google_home / "Мой шаблон.docx"
    downloaded.write_bytes(fake.ws.contents[doc])
    uploaded = gmo_google("template", "upload", str(downloaded))
    assert uploaded.exit_code == 0, uploaded.output
    new_id = google_ids()["template_doc_id"]
    assert new_id != doc and fake.ws.files[new_id]["parents"] == [folder]
    assert uploaded.output.splitlines()[:2] == [
        f"Шаблон загружен: {fake.ws.files[new_id]['webViewLink']}",
        f"google.template_doc_id = «{new_id}» записан в {google_home / 'gmo-sync.toml'}.",
    ]
    made = gmo_google("protocols")
    assert made.exit_code == 0, made.output
    texts = [
        "\n".join(docx_text(fake.ws.contents[d["id"]])) for docs in protocol_docs(fake).values() for d in docs
    ]
    assert len(texts) == 3 and all("Шаблон, набранный вручную" in t and "ПРОТОКОЛ № " in t for t in texts)


def test_uploading_again_replaces_the_template_in_place(
    gmo_google: GoogleInvoke,
    fake: FakeGoogle,
    three: gspread.Spreadsheet,
    google_home: Path,
) -> None:
    first_id = google_ids()["template_doc_id"]  # the one init --google made
    template = google_home / "шаблон.docx"
    template.write_bytes(fake.ws.contents[first_id])
    config_before = Path("gmo-sync.toml").read_text(encoding="utf-8")
    replaced = gmo_google("template", "upload", str(template))
    assert replaced.exit_code == 0, replaced.output
    assert (
        replaced.output.splitlines()[0]
        == f"Шаблон обновлён на месте: {fake.ws.files[first_id]['webViewLink']}"
    )
    assert Path("gmo-sync.toml").read_text(encoding="utf-8") == config_before
    assert fake.ws.files[first_id]["version"] == "2"
    as_json = gmo_google("template", "upload", "--json", str(template))
    link = fake.ws.files[first_id]["webViewLink"]
    data = json.loads(as_json.output)
    assert {k: data[k] for k in ("command", "dry_run", "template_doc_id", "url", "replaced")} == {
        "command": "template upload",
        "dry_run": False,
        "template_doc_id": first_id,
        "url": link,
        "replaced": True,
    }
    assert [(a["kind"], a["status"]) for a in data["actions"]] == [("google.template", "done")]


def test_a_broken_template_is_refused_before_any_upload(
    gmo_google: GoogleInvoke,
    fake: FakeGoogle,
    three: gspread.Spreadsheet,
    google_home: Path,
) -> None:
    from tests.fakegoogle.docs import minimal_docx

    broken = google_home / "сломанный.docx"
    broken.write_bytes(minimal_docx(["Тема: {{ тема "]))
    start = fake.request_count
    result = gmo_google("template", "upload", str(broken))
    assert result.exit_code == 2 and "сломанный.docx" in result.output, result.output
    assert [e for e in fake.request_log() if e["n"] > start] == []
    text = google_home / "шаблон.txt"
    text.write_text("{{ тема }}", encoding="utf-8")
    result = gmo_google("template", "upload", str(text))
    assert result.exit_code == 2 and "нужен файл .docx" in result.output and "Файл → Скачать" in result.output


def test_dry_run_changes_nothing(
    gmo_google: GoogleInvoke, fake: FakeGoogle, three, google_home: Path
) -> None:
    template = google_home / "шаблон.docx"
    template.write_bytes(fake.ws.contents[google_ids()["template_doc_id"]])
    start = fake.request_count
    result = gmo_google("template", "upload", "--dry-run", str(template))
    assert result.exit_code == 0 and result.output.startswith("Пробный запуск (--dry-run)"), result.output
    assert "заменить шаблон" in result.output  # the one init made is gmo-sync's: replaced in place
    # it only looked: one read of the configured template, nothing written
    assert [
        e["api_method"] for e in fake.request_log() if e["n"] > start and e["api_method"] != "oauth2.token"
    ] == ["drive.files.get"]


def test_dry_run_lists_what_the_upload_does(gmo_google: GoogleInvoke, fake: FakeGoogle, three,
                                            google_home: Path) -> None:  # fmt: skip
    template = google_home / "шаблон.docx"
    template.write_bytes(fake.ws.contents[google_ids()["template_doc_id"]])
    for config_id in (google_ids()["template_doc_id"], "unknown-doc"):  # replaced in place, then a new Doc
        if config_id == "unknown-doc":
            text = Path("gmo-sync.toml").read_text(encoding="utf-8")
            Path("gmo-sync.toml").write_text(
                text.replace(google_ids()["template_doc_id"], config_id), encoding="utf-8"
            )
        dry = json.loads(gmo_google("template", "upload", "--dry-run", "--json", str(template)).output)
        real = json.loads(gmo_google("template", "upload", "--json", str(template)).output)
        assert [(a["kind"], a["target"]) for a in dry["actions"]] == [
            (a["kind"], a["target"]) for a in real["actions"]
        ]
        assert {a["status"] for a in dry["actions"]} == {"planned"} and {
            a["status"] for a in real["actions"]
        } == {"done"}
        assert len(real["actions"]) == (1 if real["replaced"] else 2)


def test_a_protocols_folder_another_client_made_is_named(
    gmo_google: GoogleInvoke,
    fake: FakeGoogle,
    three: gspread.Spreadsheet,
    google_home: Path,
) -> None:
    # gmo-sync set up once more on a second computer, with its own Cloud project's OAuth client
    info = clients.authorized_user_info(fake.base_url)
    info.update(client_id="second-project.apps.googleusercontent.com",
                scopes=["https://www.googleapis.com/auth/drive.file"])  # fmt: skip
    creds = clients.credentials(fake.base_url, "user", **info)
    other = clients.service("drive", "v3", fake.base_url, fake.ca_path, creds)
    body = {"name": "Протоколы", "mimeType": "application/vnd.google-apps.folder"}
    folder = other.files().create(body=body, fields="id").execute()["id"]
    set_value(Path("gmo-sync.toml"), "google", "protocols_folder_id", folder)
    result = gmo_google("protocols")
    assert result.exit_code == 2, result.output
    assert error_line(result.output) == invisible_folder_message(folder)


def test_upload_is_for_google_workspaces(gmo) -> None:
    result = gmo("template", "upload", "templates/default.docx")
    assert (
        result.exit_code == 2 and "в локальном режиме укажите файл шаблона в local.template" in result.output
    )


# -- editing gmo-sync.toml in place --------------------------------------------------------------------
def test_set_value_keeps_comments_and_order(tmp_path: Path) -> None:
    path = tmp_path / "gmo-sync.toml"
    head = 'backend = "google"\n\n[google]\nspreadsheet_id = "s"  # таблица\n'
    tail = 'calendar_id = "primary"\n\n[calendar]\nsummary = "x"\n'
    path.write_text(head + 'template_doc_id = ""  # шаблон\n' + tail, encoding="utf-8")
    set_value(path, "google", "template_doc_id", "1AbC-_d")
    assert path.read_text(encoding="utf-8") == head + 'template_doc_id = "1AbC-_d"  # шаблон\n' + tail
    set_value(path, "calendar", "calendar_id", "x@group")  # a key the section lacks goes under its header
    assert tomllib.loads(path.read_text(encoding="utf-8"))["calendar"] == {
        "calendar_id": "x@group",
        "summary": "x",
    }
    set_value(path, "local", "template", "мой.docx")  # a missing section is added at the end
    assert tomllib.loads(path.read_text(encoding="utf-8"))["local"] == {"template": "мой.docx"}


def test_set_value_leaves_a_file_it_cannot_edit_safely(tmp_path: Path) -> None:
    path = tmp_path / "gmo-sync.toml"
    original = '[google]\ntemplate_doc_id = """\nмногострочная\n"""\n'
    path.write_text(original, encoding="utf-8")
    with pytest.raises(ConfigError, match="впишите вручную"):
        set_value(path, "google", "template_doc_id", "1new")
    assert path.read_text(encoding="utf-8") == original
