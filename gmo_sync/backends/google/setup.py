"""``gmo-sync init --google``: the master Google Sheet, the protocols folder and the template Doc.

Running it again repairs instead of duplicating: with a spreadsheet already in the
config, missing tabs are added and missing headers appended after the last
column, and nothing a coordinator typed is touched.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from googleapiclient.http import MediaIoBaseUpload

from gmo_sync.backends.google.connection import GoogleConnection
from gmo_sync.backends.google.drive import DOCX, GOOGLE_DOC, template_cache
from gmo_sync.backends.google.layout import column_formatting, quote_tab, tab_formatting
from gmo_sync.core.actions import Action, Kind
from gmo_sync.core.config import Config
from gmo_sync.core.problems import ConfigError, column_letter
from gmo_sync.core.schema import TABS, header_key
from gmo_sync.rendering import template_bytes

FOLDER = "application/vnd.google-apps.folder"
MAX_NAME = 1024  # characters in a Drive file name (longer ones are refused; tests/fakegoogle/LIMITS.md)


@dataclass
class GoogleWorkspace:
    spreadsheet_id: str
    folder_id: str
    template_doc_id: str
    url: str
    repaired: list[str]


@dataclass
class SetupPlan:
    """What ``init --google`` will do: make what is missing, repair the sheet that exists."""

    title: str
    spreadsheet_id: str  # "" : a new spreadsheet is made
    folder_id: str  # "" : a new protocols folder is made
    template_doc_id: str  # "" : the shipped template is uploaded as a Doc
    requests: list[dict[str, Any]] = field(default_factory=list)  # the repair: one batchUpdate …
    writes: list[dict[str, Any]] = field(default_factory=list)  # … and one values write
    repairs: list[tuple[str, str]] = field(default_factory=list)  # (planned, done) sentences, in order

    @property
    def folder_name(self) -> str:
        return f"{self.title} — протоколы"


def plan_setup(connection: GoogleConnection | None, title: str, spreadsheet_id: str = "", folder_id: str = "",
               template_doc_id: str = "") -> SetupPlan:  # fmt: skip
    """Read what exists (only a configured spreadsheet needs reading: ``connection`` may be None without)."""
    plan = SetupPlan(title, spreadsheet_id, folder_id, template_doc_id)
    if not folder_id and len(plan.folder_name) > MAX_NAME:
        # refused while planning: a refused folder would leave a spreadsheet behind
        raise ConfigError(f"Название «{title[:40]}…» слишком длинное ({len(title)} символов): Google Диск "
                          f"принимает имена до {MAX_NAME} символов. Укажите --title короче.")  # fmt: skip
    if spreadsheet_id:
        assert connection is not None
        _plan_repair(connection, plan)
    return plan


def create_or_repair(connection: GoogleConnection, title: str, spreadsheet_id: str = "",
                     folder_id: str = "", template_doc_id: str = "",
                     cache_dir: Path | None = None) -> GoogleWorkspace:  # fmt: skip
    return apply_setup(connection, plan_setup(connection, title, spreadsheet_id, folder_id, template_doc_id),
                       cache_dir)  # fmt: skip


def apply_setup(
    connection: GoogleConnection, plan: SetupPlan, cache_dir: Path | None = None
) -> GoogleWorkspace:
    client = connection.gspread()
    spreadsheet_id, folder_id, template_doc_id = plan.spreadsheet_id, plan.folder_id, plan.template_doc_id
    if not spreadsheet_id:
        spreadsheet = client.create(plan.title)
        spreadsheet_id = spreadsheet.id
        _lay_out(connection, spreadsheet_id, first_sheet_id=spreadsheet.sheet1.id)
    else:
        http = client.http_client
        if plan.requests:
            http.batch_update(spreadsheet_id, {"requests": plan.requests})
        if plan.writes:
            http.values_batch_update(spreadsheet_id, body={"valueInputOption": "RAW", "data": plan.writes})
    drive = connection.service("drive", "v3")
    if not folder_id:
        request = drive.files().create(
            body={"name": plan.folder_name, "mimeType": FOLDER}, fields="id", supportsAllDrives=True
        )
        folder_id = connection.execute("Drive: папка протоколов", request)["id"]
    if not template_doc_id:
        media = MediaIoBaseUpload(io.BytesIO(template_bytes("default")), mimetype=DOCX, resumable=False)
        body = {"name": TEMPLATE_NAME, "mimeType": GOOGLE_DOC, "parents": [folder_id],
                "appProperties": {"gmoKind": "template"}}  # fmt: skip
        request = drive.files().create(
            body=body, media_body=media, fields="id,version", supportsAllDrives=True
        )
        created = connection.execute("Drive: шаблон", request)
        template_doc_id = created["id"]
        # The first run renders from exactly what was uploaded; an edit of the Doc bumps its version.
        cached = template_cache(cache_dir, template_doc_id, created.get("version")) if cache_dir else None
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(template_bytes("default"))
    url = f"https://docs.google.com/spreadsheets/d/{spreadsheet_id}/edit"
    return GoogleWorkspace(
        spreadsheet_id, folder_id, template_doc_id, url, [done for _, done in plan.repairs]
    )


TEMPLATE_NAME = "Шаблон протокола ГМО"


def setup_actions(plan: SetupPlan, config_path: Path) -> list[Action]:
    """The plan as the actions ``init --google --dry-run`` lists and the run then reports done."""
    wanted: list[tuple[Kind, str, str, str]] = []  # (kind, target, planned, done)
    if not plan.spreadsheet_id:
        title = f"«{plan.title}»"
        wanted.append((Kind.GOOGLE_SPREADSHEET, plan.title, f"создать Google-таблицу {title}",
                       f"создана Google-таблица {title}"))  # fmt: skip
    wanted += [(Kind.GOOGLE_REPAIR, done, planned, done) for planned, done in plan.repairs]
    if not plan.folder_id:
        folder = f"протоколов «{plan.folder_name}»"
        wanted.append(
            (Kind.GOOGLE_FOLDER, plan.folder_name, f"создать папку {folder}", f"создана папка {folder}")
        )
    if not plan.template_doc_id:
        template = f"шаблон протокола «{TEMPLATE_NAME}»"
        wanted.append((Kind.GOOGLE_TEMPLATE, TEMPLATE_NAME, f"загрузить {template}", f"загружен {template}"))
    if not config_path.exists():
        wanted.append((Kind.CONFIG_WRITE, str(config_path), f"записать настройки в {config_path}",
                       f"настройки записаны в {config_path}"))  # fmt: skip
    return [
        Action(kind, "", target, planned=planned, done_text=done) for kind, target, planned, done in wanted
    ]


def _lay_out(connection: GoogleConnection, spreadsheet_id: str, first_sheet_id: int) -> None:
    """All tabs, headers and formatting in two requests (one batchUpdate, one values write)."""
    requests: list[dict[str, Any]] = []
    for index, tab in enumerate(TABS):
        sheet_id = first_sheet_id if index == 0 else 100 + index
        properties = {"sheetId": sheet_id, "title": tab.name, "index": index,
                      "gridProperties": {"frozenRowCount": 1}}  # fmt: skip
        if index == 0:
            fields = "title,index,gridProperties.frozenRowCount"
            requests.append({"updateSheetProperties": {"properties": properties, "fields": fields}})
        else:
            requests.append({"addSheet": {"properties": properties}})
        requests.extend(tab_formatting(tab, sheet_id))
    connection.gspread().http_client.batch_update(spreadsheet_id, {"requests": requests})
    data = [
        {"range": f"{quote_tab(tab.name)}!A1", "values": [[c.header for c in tab.columns]]} for tab in TABS
    ]
    connection.gspread().http_client.values_batch_update(
        spreadsheet_id, body={"valueInputOption": "RAW", "data": data}
    )


def _plan_repair(connection: GoogleConnection, plan: SetupPlan) -> None:
    """Plan to add missing tabs and append missing headers; never move or overwrite a coordinator's cell."""
    spreadsheet_id = plan.spreadsheet_id
    http = connection.gspread().http_client
    meta = http.spreadsheets_get(spreadsheet_id, params={"fields": "sheets.properties(sheetId,title)"})
    titles = {header_key(s["properties"]["title"]): s["properties"] for s in meta.get("sheets", [])}
    present = [t for t in TABS if header_key(t.name) in titles]
    # Whole tabs, not just row 1: a coordinator's data in a column without a header must not
    # receive an appended header (one read, only when init repairs).
    tab_rows: dict[str, list[list[Any]]] = {}
    if present:
        ranges = [quote_tab(titles[header_key(t.name)]["title"]) for t in present]
        response = http.values_batch_get(spreadsheet_id, ranges)
        for tab, value_range in zip(present, response.get("valueRanges", []), strict=True):
            tab_rows[tab.name] = value_range.get("values") or []
    requests, writes, repaired = plan.requests, plan.writes, plan.repairs
    free_id = max((int(p["sheetId"]) for p in titles.values()), default=0) + 1
    for tab in TABS:
        if header_key(tab.name) not in titles:
            sheet_id, free_id = free_id, free_id + 1
            properties = {"sheetId": sheet_id, "title": tab.name, "gridProperties": {"frozenRowCount": 1}}
            requests.append({"addSheet": {"properties": properties}})
            requests.extend(tab_formatting(tab, sheet_id))
            writes.append({"range": f"{quote_tab(tab.name)}!A1", "values": [[c.header for c in tab.columns]]})
            repaired.append((f"добавить лист «{tab.name}»", f"добавлен лист «{tab.name}»"))
            continue
        properties = titles[header_key(tab.name)]
        rows = tab_rows.get(tab.name, [])
        have = {header_key(str(h)) for h in (rows[0] if rows else []) if h}
        next_column = max((len(r) for r in rows), default=0) + 1
        for column in tab.columns:
            if header_key(column.header) in have:
                continue
            writes.append({"range": f"{quote_tab(properties['title'])}!{column_letter(next_column)}1",
                           "values": [[column.header]]})  # fmt: skip
            requests.extend(column_formatting(tab, column, int(properties["sheetId"]), next_column - 1))
            where = f"«{properties['title']}»"
            repaired.append(
                (
                    f"{where}: добавить столбец «{column.header}»",
                    f"{where}: добавлен столбец «{column.header}»",
                )
            )
            next_column += 1


CONFIG_TEMPLATE = """\
# gmo-sync: настройки для Google. Полный список параметров — в README.
backend = "google"
timezone = "{timezone}"
numbering = "{numbering}"
organisation = "{organisation}"
city = "{city}"

[google]
spreadsheet_id = "{spreadsheet_id}"
protocols_folder_id = "{folder_id}"
template_doc_id = "{template_doc_id}"
calendar_id = "primary"
# credentials = "service-account.json"   # ключ сервисного аккаунта; без него — вход через gmo-sync auth login
"""


def write_config(path: Path, workspace: GoogleWorkspace, config: Config) -> bool:
    """Write the config of a new Google workspace; an existing config file is left as it is."""
    if path.exists():
        return False
    path.write_text(
        CONFIG_TEMPLATE.format(
            timezone=config.timezone,
            numbering=config.numbering,
            organisation=config.organisation,
            city=config.city,
            spreadsheet_id=workspace.spreadsheet_id,
            folder_id=workspace.folder_id,
            template_doc_id=workspace.template_doc_id,
        ),
        encoding="utf-8",
    )
    return True
