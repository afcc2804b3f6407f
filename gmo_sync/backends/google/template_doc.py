"""``gmo-sync template upload``: a protocol template Doc that gmo-sync itself made, so drive.file sees it.

With the ``drive.file`` scope gmo-sync sees only Drive files it created (or the user opened with it), so a
Google Doc a coordinator wrote by hand can never be its template. The way that works: the coordinator
downloads the Doc as .docx and uploads it through gmo-sync, which converts it into a Google Doc in the
protocols folder. A template Doc gmo-sync made before is replaced in place (same ID, same link); anything
else gets a new Doc, and the caller writes its ID into the configuration.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from googleapiclient.http import MediaIoBaseUpload

from gmo_sync.backends.google.connection import GoogleConnection
from gmo_sync.backends.google.drive import DOCX, GOOGLE_DOC, template_cache
from gmo_sync.backends.google.retry import error_status
from gmo_sync.core.actions import Action, Kind
from gmo_sync.core.config import Config
from gmo_sync.core.problems import BackendError, ConfigError
from gmo_sync.rendering import check_template

DOWNLOAD_HINT = (
    "Шаблон, сделанный вручную в Google Документах, gmo-sync не видит (доступ drive.file): откройте его, "
    "скачайте как .docx (Файл → Скачать → Microsoft Word (.docx)) и загрузите этот файл."
)

TEMPLATE_KIND = {"gmoKind": "template"}


def read_template(config: Config, path: Path) -> bytes:
    """The .docx to upload, after the checks that need no network (a broken template never leaves)."""
    if config.backend != "google":
        raise ConfigError(
            "template upload — для Google; в локальном режиме укажите файл шаблона в local.template "
            "(например, templates/мой.docx)."
        )
    if config.path is None:
        raise ConfigError("Нет gmo-sync.toml: запустите команду в рабочей папке (или укажите --config).")
    if not config.google.protocols_folder_id:
        raise ConfigError("Не настроен Google: google.protocols_folder_id пусто. Выполните gmo-sync init "
                          "--google.")  # fmt: skip
    if path.suffix.lower() != ".docx":
        raise ConfigError(f"{path}: нужен файл .docx. {DOWNLOAD_HINT}")
    try:
        content = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"Файл {path} не читается ({error.strerror}).") from None
    check_template(content, template_name=path.name)  # TemplateError names the tag: exit 2
    return content


@dataclass(frozen=True)
class TemplatePlan:
    """What ``template upload`` will do: replace the Doc gmo-sync made before, or make a new one."""

    name: str
    replace: str  # the template Doc replaced in place (same ID and link), or "" for a new Doc

    def actions(self, config_path: Path) -> list[Action]:
        """The plan as the actions ``--dry-run`` lists and the upload then reports done."""
        name = f"«{self.name}»"
        if self.replace:
            planned = f"заменить шаблон {self.replace} на месте содержимым {name}"
            return [Action(Kind.GOOGLE_TEMPLATE, "", self.name, planned=planned,
                           done_text=f"шаблон {self.replace} заменён на месте")]  # fmt: skip
        where = str(config_path)
        return [
            Action(Kind.GOOGLE_TEMPLATE, "", self.name, planned=f"создать Google Doc шаблона из {name}",
                   done_text=f"создан Google Doc шаблона из {name}"),
            Action(Kind.CONFIG_WRITE, "", where, planned=f"записать google.template_doc_id в {where}",
                   done_text=f"google.template_doc_id записан в {where}"),
        ]  # fmt: skip


def plan_template(connection: GoogleConnection, current_id: str, name: str) -> TemplatePlan:
    """Reads Drive once: is the configured template a Doc gmo-sync made (and can still see)?"""
    return TemplatePlan(name, current_id if current_id and _is_ours(connection, current_id) else "")


def install_template(config: Config, content: bytes, name: str, *, dry_run: bool = False) -> tuple[
        TemplatePlan, UploadedTemplate | None]:  # fmt: skip
    """Plan the upload; unless ``dry_run``, upload the template and point ``google.template_doc_id`` at it."""
    from gmo_sync.backends.google import connect, state_file
    from gmo_sync.core.config_file import set_value

    assert config.path is not None  # read_template checked it
    connection = connect(config)
    try:
        google = config.google
        plan = plan_template(connection, google.template_doc_id, name)
        if dry_run:
            return plan, None
        uploaded = upload_template(connection, plan, google.protocols_folder_id, content,
                                   state_file(config).parent)  # fmt: skip
    finally:
        connection.close()
    if uploaded.doc_id != config.google.template_doc_id:
        set_value(config.path, "google", "template_doc_id", uploaded.doc_id)
    return plan, uploaded


@dataclass(frozen=True)
class UploadedTemplate:
    doc_id: str
    url: str
    replaced: bool  # True: the Doc gmo-sync made before now holds the new template (same ID)


def upload_template(connection: GoogleConnection, plan: TemplatePlan, folder_id: str, content: bytes,
                    cache_dir: Path) -> UploadedTemplate:  # fmt: skip
    drive = connection.service("drive", "v3")
    media = MediaIoBaseUpload(io.BytesIO(content), mimetype=DOCX, resumable=False)
    name = plan.name
    if plan.replace:
        request = drive.files().update(fileId=plan.replace, body={"name": name}, media_body=media,
                                       fields="id,version,webViewLink", supportsAllDrives=True)  # fmt: skip
        file = connection.execute("Google Диск (шаблон протокола)", request)
        replaced = True
    else:
        body = {"name": name, "mimeType": GOOGLE_DOC, "parents": [folder_id], "appProperties": TEMPLATE_KIND}
        request = drive.files().create(body=body, media_body=media, fields="id,version,webViewLink",
                                       supportsAllDrives=True)  # fmt: skip
        file = connection.execute("Google Диск (шаблон протокола)", request)
        replaced = False
    # The next run renders from exactly what was uploaded; an edit of the Doc bumps its version.
    cached = template_cache(cache_dir, file["id"], file.get("version"))
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(content)
    url = file.get("webViewLink") or f"https://docs.google.com/document/d/{file['id']}/edit"
    return UploadedTemplate(file["id"], url, replaced)


def _is_ours(connection: GoogleConnection, doc_id: str) -> bool:
    """The configured template is a Doc gmo-sync made (and can still see): replace it in place."""
    request = connection.service("drive", "v3").files().get(fileId=doc_id, fields="id,trashed,appProperties",
                                                            supportsAllDrives=True)  # fmt: skip
    try:
        file = connection.execute("Google Диск (шаблон протокола)", request)
    except BackendError as error:
        if error_status(error.__cause__ or error)[0] == 404:  # invisible or gone: a new Doc it is
            return False
        raise
    return not file.get("trashed") and (file.get("appProperties") or {}).get("gmoKind") == "template"
