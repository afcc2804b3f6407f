"""What every ``ProtocolStore`` promises, as one suite each implementation runs.

Subclass ``ProtocolStoreContract`` and override the ``store_env`` fixture with a ``StoreEnv``: it
makes a *new* store object over the *same* storage on every call and edits a stored protocol the
way a person would (in Word, in Google Docs). Capability flag: ``makes_pdf`` (a store in memory
keeps no PDF copies; the local one needs LibreOffice).
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import pytest

from gmo_sync.core.model import MeetingStatus
from gmo_sync.core.plan.protocols import meeting_context
from gmo_sync.core.ports import ProtocolStore
from gmo_sync.rendering import render_protocol, template_bytes
from tests.contract.samples import make_meeting

ID = "ГМО-2021-10-13"
NAME = "2021-10-13 Протокол № 2"


class StoreEnv(Protocol):
    where: str  # what ``describe()`` names: the folder, the Drive folder

    def make(self) -> ProtocolStore: ...

    def edit_by_hand(self, meeting_id: str) -> None:
        """A person changes the meeting's protocol in its editor."""


def document(
    topic: str = "Тема заседания", store: ProtocolStore | None = None, input_hash: str = ""
) -> bytes:
    """A real protocol, rendered from the shipped template with ``store``'s stamp, as the run renders it."""
    meeting = make_meeting(
        id=ID, protocol_number=2, date=dt.date(2021, 10, 13), topic=topic, status=MeetingStatus.HELD
    )
    context = meeting_context(meeting, organisation="ГМО", city="Красноярск")
    stamp = store.stamp(ID, input_hash) if store is not None else None
    return render_protocol(template_bytes("default"), context, template_name="default.docx", stamp=stamp)


class ProtocolStoreContract:
    makes_pdf = True

    @pytest.fixture
    def store_env(self) -> StoreEnv:
        raise NotImplementedError("a subclass provides the environment")

    def test_a_new_store_is_empty_and_has_a_template(self, store_env: StoreEnv) -> None:
        store = store_env.make()
        assert store.existing() == {}
        assert store_env.where in store.describe()
        name, content = store.template()
        assert name.strip() and content.startswith(b"PK")  # a .docx is a zip

    def test_save_creates_one_protocol_found_by_meeting(self, store_env: StoreEnv) -> None:
        store = store_env.make()
        planned = store.planned_link(ID, NAME, None)
        stored = store.save(ID, NAME, document(store=store, input_hash="hash-1"), "hash-1", None)
        assert (stored.meeting_id, stored.name, stored.input_hash, stored.edited_by_hand) == (
            ID,
            NAME,
            "hash-1",
            False,
        )
        assert store_env.make().existing() == {ID: stored}
        link = store.link(stored)
        assert link.text and link.url
        assert planned is None or planned == link  # where the plan can know the link, it is the link

    def test_an_update_keeps_the_document_and_its_link(self, store_env: StoreEnv) -> None:
        store = store_env.make()
        first = store.save(ID, NAME, document(store=store, input_hash="hash-1"), "hash-1", None)
        planned = store.planned_link(ID, NAME, first)
        second = store.save(
            ID, NAME, document("Новая тема", store=store, input_hash="hash-2"), "hash-2", first
        )
        assert (second.location, second.input_hash) == (first.location, "hash-2")
        assert store_env.make().existing() == {ID: second}
        assert planned == store.link(second) == store.link(first)

    def test_an_update_under_a_new_name_renames_the_one_document(self, store_env: StoreEnv) -> None:
        store = store_env.make()
        first = store.save(ID, NAME, document(store=store, input_hash="hash-1"), "hash-1", None)
        renamed = "2021-10-14 Протокол № 2"
        planned = store.planned_link(ID, renamed, first)
        second = store.save(ID, renamed, document(store=store, input_hash="hash-2"), "hash-2", first)
        found = store_env.make().existing()
        assert list(found) == [ID] and found[ID].name == renamed
        assert planned is None or planned == store.link(second)

    def test_a_hand_edit_is_seen_and_a_forced_save_clears_it(self, store_env: StoreEnv) -> None:
        store = store_env.make()
        store.save(ID, NAME, document(store=store, input_hash="hash-1"), "hash-1", None)
        store_env.edit_by_hand(ID)
        edited = store_env.make().existing()[ID]
        assert edited.edited_by_hand and edited.input_hash == "hash-1"
        again = store_env.make()
        forced = again.save(
            ID, NAME, document(store=again, input_hash="hash-1"), "hash-1", again.existing()[ID]
        )
        assert not forced.edited_by_hand and not store_env.make().existing()[ID].edited_by_hand

    def test_pdf_copy_is_made_once_until_the_document_changes(self, store_env: StoreEnv) -> None:
        if not self.makes_pdf:
            pytest.skip("this store keeps no PDF copies")
        store = store_env.make()
        stored = store.save(ID, NAME, document(store=store, input_hash="hash-1"), "hash-1", None)
        assert not store.pdf_current(stored)
        name = store.export_pdf(stored)
        assert name is not None and name.endswith(".pdf")
        reopened = store_env.make()
        current = reopened.existing()[ID]
        assert reopened.pdf_current(current) and reopened.export_pdf(current) is None
        changed = reopened.save(
            ID, NAME, document("Новая тема", store=reopened, input_hash="hash-2"), "hash-2", current
        )
        assert not store_env.make().pdf_current(changed)
