"""The protocol store contract, run for every ProtocolStore: in memory, .docx files, Google Docs (fake)."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from gmo_sync.backends.google import connect
from gmo_sync.backends.google.drive import DriveProtocolStore
from gmo_sync.backends.local.pdf import find_office
from gmo_sync.backends.local.protocols import LocalProtocolStore, safe_file_name
from gmo_sync.core.config import load_config
from gmo_sync.core.ports import ProtocolStore
from gmo_sync.rendering import template_path
from tests.contract.protocol_contract import ProtocolStoreContract, StoreEnv
from tests.memory_backends import MemoryProtocolStore


class MemoryEnv:
    where = "память"

    def __init__(self) -> None:
        self.documents: dict = {}  # type: ignore[type-arg]

    def make(self) -> ProtocolStore:
        return MemoryProtocolStore(self.documents)

    def edit_by_hand(self, meeting_id: str) -> None:
        MemoryProtocolStore(self.documents).edit_by_hand(meeting_id)


class FolderEnv:
    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self.where = str(workspace / "protocols")

    def make(self) -> ProtocolStore:
        return LocalProtocolStore(self.workspace / "protocols", self.workspace, template_path("default"))

    def edit_by_hand(self, meeting_id: str) -> None:
        [stored] = [s for s in self.make().existing().values() if s.meeting_id == meeting_id]
        path = self.workspace / "protocols" / f"{safe_file_name(stored.name)}.docx"
        document = docx.Document(str(path))
        document.add_paragraph("Дополнение секретаря.")
        document.save(str(path))


class DriveEnv:
    def __init__(self, fake, home: Path) -> None:  # type: ignore[no-untyped-def]
        self.fake, self.home = fake, home
        drive = connect(load_config(None)).service("drive", "v3")
        body = {"name": "Протоколы", "mimeType": "application/vnd.google-apps.folder"}
        self.folder = drive.files().create(body=body, fields="id").execute()["id"]
        self.where = f"папка Google Диска {self.folder}"

    def make(self) -> ProtocolStore:
        # a new connection and state object: only Drive and the state file survive, as between runs
        return DriveProtocolStore(connect(load_config(None)), self.folder, "", self.home / "state.json")

    def edit_by_hand(self, meeting_id: str) -> None:
        doc = self.make().existing()[meeting_id].location
        self.fake.act(
            {"action": "edit_doc", "documentId": doc, "paragraphs": ["Протокол, исправленный вручную"]}
        )


class TestMemoryProtocolStore(ProtocolStoreContract):
    makes_pdf = False

    @pytest.fixture
    def store_env(self) -> StoreEnv:
        return MemoryEnv()


class TestLocalProtocolStore(ProtocolStoreContract):
    makes_pdf = find_office() is not None

    @pytest.fixture
    def store_env(self, tmp_path: Path) -> StoreEnv:
        return FolderEnv(tmp_path)


class TestDriveProtocolStore(ProtocolStoreContract):
    @pytest.fixture
    def store_env(self, google_home: Path, fake) -> StoreEnv:  # type: ignore[no-untyped-def]
        return DriveEnv(fake, google_home)
