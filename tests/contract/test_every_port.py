"""Every port of ``core.ports`` has one contract suite, run by memory, local and Google."""

from __future__ import annotations

import inspect
import typing

from gmo_sync.core import ports
from tests import test_google_calendar
from tests.contract import (
    test_calendar_stores,
    test_document_stores,
    test_mailers,
    test_protocol_stores,
    test_sheet_backends,
)
from tests.contract.calendar_contract import CalendarStoreContract
from tests.contract.document_contract import DocumentStoreContract
from tests.contract.mailer_contract import MailerContract
from tests.contract.protocol_contract import ProtocolStoreContract
from tests.contract.sheet_contract import SheetBackendContract

SUITES = {"SheetBackend": SheetBackendContract, "ProtocolStore": ProtocolStoreContract,
          "CalendarStore": CalendarStoreContract, "DocumentStore": DocumentStoreContract,
          "Mailer": MailerContract}  # fmt: skip
RUNNERS = (
    test_sheet_backends,
    test_protocol_stores,
    test_calendar_stores,
    test_google_calendar,
    test_document_stores,
    test_mailers,
)


def test_every_port_has_a_suite_run_by_memory_local_and_google() -> None:
    declared = {name for name, cls in inspect.getmembers(ports, inspect.isclass)
                if typing.Protocol in cls.__mro__ and cls is not typing.Protocol}  # fmt: skip
    assert declared == set(SUITES)
    for port, suite in SUITES.items():
        runs = [cls.__name__ for module in RUNNERS for _, cls in inspect.getmembers(module, inspect.isclass)
                if issubclass(cls, suite) and cls is not suite]  # fmt: skip
        assert len(runs) >= 3, (port, runs)
        assert any("Memory" in name for name in runs), (port, runs)
        assert any("Google" in name or "Drive" in name for name in runs), (port, runs)
        assert any("Local" in name for name in runs), (port, runs)
