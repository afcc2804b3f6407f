"""The master sheet as a local .xlsx workbook (openpyxl).

Safety over speed: the workbook is read once per run and loaded again to write; writes go to a temporary
file that replaces the original only when complete (a killed run never leaves a
truncated workbook), and the previous version is kept as ``<name>.bak``. When
LibreOffice or Excel has the workbook open (their lock files sit beside it), the
tool refuses to write rather than race the editor, whose next save would
silently discard the tool's changes.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.workbook import Workbook

from gmo_sync.backends.local.files import write_atomically
from gmo_sync.core.os_errors import describe_os_error
from gmo_sync.core.ports import WriteReport
from gmo_sync.core.problems import BackendError, WorkbookBusyError
from gmo_sync.core.repair import SheetRepair
from gmo_sync.core.sheet import CellWrite, Formula, SheetSnapshot, TabData, place_writes


def editor_lock_files(path: Path) -> list[Path]:
    """Lock files LibreOffice (``.~lock.NAME#``) and Excel (``~$NAME``) keep while a file is open."""
    candidates = [path.with_name(f".~lock.{path.name}#"), path.with_name(f"~${path.name}")]
    return [p for p in candidates if p.exists()]


class LocalWorkbook:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._book: Workbook | None = None
        self._loaded_mtime: int | None = None

    def describe(self) -> str:
        return str(self.path)

    def _load(self) -> Workbook:
        if not self.path.exists():
            raise BackendError(
                f"Таблица {self.path} не найдена. Создайте рабочую папку: gmo-sync init --local ПАПКА"
            )
        try:
            mtime = self.path.stat().st_mtime_ns
            book = openpyxl.load_workbook(self.path, rich_text=False)
        except OSError as error:
            raise BackendError(describe_os_error(error, self.path, "Таблица")) from None
        except Exception as error:
            raise BackendError(self._damaged(error)) from None
        self._book, self._loaded_mtime = book, mtime
        return book

    def _damaged(self, error: Exception) -> str:
        backup = self.path.with_name(self.path.name + ".bak")
        if backup.exists():
            fix = (f"восстановите её из копии {backup.name}, которую gmo-sync сохраняет перед каждой "
                   f"записью: закройте таблицу и выполните cp «{backup}» «{self.path}»")  # fmt: skip
        else:
            fix = f"восстановите её из резервной копии ({backup.name} не найден)"
        return (f"Таблица {self.path} повреждена или это не файл .xlsx ({type(error).__name__}: {error}). "
                f"Что делать: {fix}.")  # fmt: skip

    def read(self) -> SheetSnapshot:
        book = self._load()
        tabs = {}
        for sheet in book.worksheets:
            rows: list[list[object]] = []
            links: dict[tuple[int, int], str] = {}
            for row in sheet.iter_rows():
                values = []
                for cell in row:
                    values.append(_cell_value(cell))
                    if cell.hyperlink is not None and cell.hyperlink.target:
                        links[(cell.row, cell.column)] = cell.hyperlink.target
                rows.append(values)
            while rows and all(v is None or v == "" for v in rows[-1]):
                rows.pop()
            merged = [str(r) for r in sheet.merged_cells.ranges]
            tabs[sheet.title] = TabData(sheet.title, rows, links, merged)  # type: ignore[arg-type]
        # openpyxl's cells cost memory in proportion to the sheet (about 6 MiB at 500 meetings), held
        # through the whole run while protocols render; a write loads the file again — and checks its
        # anchors against what is there then. A run with nothing to write never does.
        self._book = None
        return SheetSnapshot(tabs)

    def ensure_writable(self) -> None:
        locks = editor_lock_files(self.path)
        if locks:
            raise WorkbookBusyError(
                f"Таблица {self.path.name} открыта в редакторе (есть файл блокировки {locks[0].name}). "
                f"Закройте её в LibreOffice/Excel и запустите снова. Если она не открыта, "
                f"удалите файл {locks[0]}."
            )

    def write(self, writes: Sequence[CellWrite]) -> WriteReport:
        if not writes:
            return WriteReport(0, [])
        self.ensure_writable()
        book = self._book
        if book is None or self._loaded_mtime != self.path.stat().st_mtime_ns:
            book = self._load()  # changed since read: anchors are checked against the fresh copy
        # Every write is placed against the sheet as it was before this batch: a row's new ID written
        # first must not make the same row's other cells look moved.
        current = {tab: _values(book[tab]) for tab in {w.tab for w in writes}}
        placed, skipped = place_writes(writes, current)
        for where in placed:
            _set_cell(book[where.write.tab].cell(where.row, where.write.column), where.write)
        if placed:
            try:
                self._save(book)
            except OSError as error:  # the folder is read-only, the disk is full: the sheet step fails
                unsaved = " Изменения таблицы не сохранены; их запишет следующий запуск."
                raise BackendError(describe_os_error(error, self.path, "Таблица") + unsaved) from None
        return WriteReport(len(placed), skipped)

    def repair(self, repairs: Sequence[SheetRepair]) -> None:
        self.ensure_writable()
        book = self._book
        if book is None or self._loaded_mtime != self.path.stat().st_mtime_ns:
            book = self._load()
        for repair in repairs:
            sheet = book.create_sheet(repair.sheet_name) if repair.create else book[repair.sheet_name]
            if repair.create:
                sheet.freeze_panes = "A2"
            for index, column in repair.columns:
                cell = sheet.cell(1, index)
                cell.value, cell.data_type, cell.font = column.header, "s", Font(bold=True)
        try:
            self._save(book)
        except OSError as error:
            raise BackendError(describe_os_error(error, self.path, "Таблица")) from None

    def _save(self, book: Workbook) -> None:
        """The whole workbook in one atomic replace (temp file, fsync, rename), the previous one kept."""
        buffer = io.BytesIO()
        book.save(buffer)
        write_atomically(self.path, buffer.getvalue(), backup=self.path.with_name(self.path.name + ".bak"))
        self._loaded_mtime = self.path.stat().st_mtime_ns


def _cell_value(cell: Cell) -> object:
    if cell.data_type == "f":
        return Formula(str(cell.value))
    value = cell.value
    if isinstance(value, dt.datetime) and value.time() == dt.time(0, 0):
        return value.date()
    return value


def _values(sheet: object) -> list[list[object]]:
    """The tab's values now, trailing empty rows left out (so an appended row goes after the data)."""
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]  # type: ignore[attr-defined]
    while rows and all(v is None or v == "" for v in rows[-1]):
        rows.pop()
    return rows


def _set_cell(cell: Cell, write: CellWrite) -> None:
    cell.value = write.value
    # openpyxl stores any str starting with «=» as a formula; tool values are always data.
    cell.data_type = "s"
    if write.link:
        cell.hyperlink = write.link
        cell.style = "Hyperlink"
    elif cell.hyperlink is not None and write.link is None and write.value == "":
        cell.hyperlink = None
