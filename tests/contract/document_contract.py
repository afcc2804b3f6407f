"""What every ``DocumentStore`` promises (reports, extracts), as one suite each implementation runs.

Like the protocol store's suite: ``store_env`` makes a *new* store object over the *same* storage
on every call and edits a stored document by hand; ``makes_pdf`` switches off the PDF copies.
"""

from __future__ import annotations

from typing import Protocol

import pytest

from gmo_sync.core.ports import DocumentStore
from tests.contract.protocol_contract import document

KEY = "decisions"
NAME = "Контроль исполнения решений"


class DocumentEnv(Protocol):
    where: str  # what ``describe()`` names

    def make(self) -> DocumentStore: ...

    def edit_by_hand(self, key: str) -> None: ...


class DocumentStoreContract:
    makes_pdf = True

    @pytest.fixture
    def store_env(self) -> DocumentEnv:
        raise NotImplementedError("a subclass provides the environment")

    def test_a_new_store_finds_nothing_and_has_templates(self, store_env: DocumentEnv) -> None:
        store = store_env.make()
        assert store.find(KEY) is None
        assert store_env.where in store.describe()
        name, content = store.template("decisions")
        assert name.strip() and content.startswith(b"PK")

    def test_save_then_find_by_key(self, store_env: DocumentEnv) -> None:
        store = store_env.make()
        stored = store.save(KEY, NAME, document(), "hash-1", None)
        assert (stored.key, stored.name, stored.input_hash, stored.edited_by_hand) == (
            KEY,
            NAME,
            "hash-1",
            False,
        )
        assert store_env.make().find(KEY) == stored
        assert store_env.make().find("extract:other") is None
        link = store.link(stored)
        assert link.text and link.url

    def test_an_update_keeps_the_one_document(self, store_env: DocumentEnv) -> None:
        store = store_env.make()
        first = store.save(KEY, NAME, document(), "hash-1", None)
        second = store.save(KEY, NAME, document("Новая тема"), "hash-2", first)
        assert (second.location, second.input_hash) == (first.location, "hash-2")
        assert store_env.make().find(KEY) == second
        assert store.link(second) == store.link(first)

    def test_a_rename_keeps_one_document(self, store_env: DocumentEnv) -> None:
        store = store_env.make()
        first = store.save(KEY, NAME, document(), "hash-1", None)
        store.save(KEY, NAME + " 2021-22", document(), "hash-2", first)
        found = store_env.make().find(KEY)
        assert found is not None and found.name == NAME + " 2021-22" and found.input_hash == "hash-2"

    def test_a_hand_edit_is_seen_and_a_forced_save_clears_it(self, store_env: DocumentEnv) -> None:
        store_env.make().save(KEY, NAME, document(), "hash-1", None)
        store_env.edit_by_hand(KEY)
        edited = store_env.make().find(KEY)
        assert edited is not None and edited.edited_by_hand
        forced = store_env.make().save(KEY, NAME, document(), "hash-1", edited)
        found = store_env.make().find(KEY)
        assert not forced.edited_by_hand and found is not None and not found.edited_by_hand

    def test_pdf_copy_is_made_once_until_the_document_changes(self, store_env: DocumentEnv) -> None:
        if not self.makes_pdf:
            pytest.skip("this store keeps no PDF copies")
        store = store_env.make()
        stored = store.save(KEY, NAME, document(), "hash-1", None)
        assert not store.pdf_current(stored)
        name = store.export_pdf(stored)
        assert name is not None and name.endswith(".pdf")
        reopened = store_env.make()
        current = reopened.find(KEY)
        assert current is not None and reopened.pdf_current(current) and reopened.export_pdf(current) is None
        changed = reopened.save(KEY, NAME, document("Новая тема"), "hash-2", current)
        assert not store_env.make().pdf_current(changed)
