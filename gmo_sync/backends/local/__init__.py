"""The local backend: an .xlsx workbook, .docx protocols in a folder, an .ics calendar file."""

from __future__ import annotations

from gmo_sync.backends.local.documents import LocalDocumentStore
from gmo_sync.backends.local.ics import LocalCalendar
from gmo_sync.backends.local.protocols import LocalProtocolStore
from gmo_sync.backends.local.workbook import LocalWorkbook
from gmo_sync.core.clock import Clock, system_clock
from gmo_sync.core.config import Config
from gmo_sync.core.ports import Backends


def open_local(config: Config, clock: Clock = system_clock) -> Backends:
    workbook = config.resolve(config.local.workbook)
    return Backends(
        sheet=LocalWorkbook(workbook),
        protocols=LocalProtocolStore(
            config.resolve(config.local.protocols_dir), workbook.parent, config.resolve(config.local.template)
        ),
        calendar=LocalCalendar(
            config.resolve(config.local.calendar_file), config.zone, clock=clock, link_base=workbook.parent
        ),
        documents=LocalDocumentStore(
            config.resolve(config.local.documents_dir), workbook.parent, config.resolve(config.templates_dir)
        ),
    )
