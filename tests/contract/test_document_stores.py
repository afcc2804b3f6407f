"""The document store contract, run for every DocumentStore: in memory, .docx files, Google Docs (fake)."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from gmo_sync.backends.google import connect
from gmo_sync.backends.google.documents import DriveDocumentStore
from gmo_sync.backends.local.documents import LocalDocumentStore
from gmo_sync.backends.local.pdf import find_office
from gmo_sync.core.config import load_config
from gmo_sync.core.ports import DocumentStore
from tests.contract.document_contract import DocumentEnv, DocumentStoreContract
from tests.memory_backends import MemoryDocumentStore


class MemoryEnv:
    where = "в памяти"

    def __init__(self) -> None:
        self.documents: dict = {}  # type: ignore[type-arg]

    def make(self) -> DocumentStore:
        return MemoryDocumentStore(self.documents)

    def edit_by_hand(self, key: str) -> None:
        MemoryDocumentStore(self.documents).edit_by_hand(key)


class FolderEnv:
    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self.where = str(workspace / "documents")

    def make(self) -> DocumentStore:
        return LocalDocumentStore(self.workspace / "documents", self.workspace, self.workspace / "templates")

    def edit_by_hand(self, key: str) -> None:
        stored = self.make().find(key)
        assert stored is not None
        path = self.workspace / "documents" / stored.location
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

    def make(self) -> DocumentStore:
        return DriveDocumentStore(
            connect(load_config(None)), self.folder, self.home / "state.json", self.home
        )

    def edit_by_hand(self, key: str) -> None:
        stored = self.make().find(key)
        assert stored is not None
        self.fake.act({"action": "edit_doc", "documentId": stored.location, "paragraphs": ["Правка вручную"]})


class TestMemoryDocumentStore(DocumentStoreContract):
    makes_pdf = False

    @pytest.fixture
    def store_env(self) -> DocumentEnv:
        return MemoryEnv()


class TestLocalDocumentStore(DocumentStoreContract):
    makes_pdf = find_office() is not None

    @pytest.fixture
    def store_env(self, tmp_path: Path) -> DocumentEnv:
        return FolderEnv(tmp_path)


class TestDriveDocumentStore(DocumentStoreContract):
    @pytest.fixture
    def store_env(self, google_home: Path, fake) -> DocumentEnv:  # type: ignore[no-untyped-def]
        return DriveEnv(fake, google_home)
