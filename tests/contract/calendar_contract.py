"""What every ``CalendarStore`` promises, as one suite each implementation runs.

Use it vdirsyncer-style: subclass ``CalendarStoreContract`` in a ``test_*.py``
module and override the ``make_store`` fixture with a callable that returns a
*new* store object over the *same* storage on every call (same file, same
calendar on the fake server), so "re-opened from scratch" can be tested::

    class TestGoogleCalendar(CalendarStoreContract):
        @pytest.fixture
        def make_store(self, fake_workspace):
            return lambda: GoogleCalendar(...)

The suite goes through the public contract only (``existing``/``apply`` and the
planner), so it says nothing about how an implementation keeps its state.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gmo_sync.core.plan.calendar import EventPlan, plan_events
from gmo_sync.core.ports import CalendarStore, EventAction, EventActionKind, EventOutcome, EventSpec
from tests.contract.samples import make_spec

MakeStore = Callable[[], CalendarStore]


def sync(
    store: CalendarStore, specs: list[EventSpec], known: set[str] | None = None, *, allow: bool = True
) -> tuple[EventPlan, list[EventOutcome]]:
    """Plan against what the store has, then apply: one run of `gmo-sync calendar`."""
    known = {s.meeting_id for s in specs} if known is None else known
    plan = plan_events(specs, store.existing(), known, allow_mass_cancel=allow)
    return plan, store.apply(plan.actions)


def kinds(plan: EventPlan) -> list[EventActionKind]:
    return [a.kind for a in plan.actions]


class CalendarStoreContract:
    @pytest.fixture
    def make_store(self) -> MakeStore:
        raise NotImplementedError("a subclass provides the store factory")

    @pytest.fixture
    def store(self, make_store: MakeStore) -> CalendarStore:
        return make_store()

    @pytest.fixture
    def where(self) -> str:
        raise NotImplementedError("a subclass says what describe() names: the file, the calendar")

    def test_a_new_store_is_empty(self, store: CalendarStore, where: str) -> None:
        assert store.existing() == {}
        assert where in store.describe()

    def test_create_then_existing_finds_it_with_its_hash(self, store: CalendarStore) -> None:
        spec = make_spec("ГМО-2026-12-16")
        plan, outcomes = sync(store, [spec])
        assert kinds(plan) == [EventActionKind.CREATE]
        [outcome] = outcomes
        assert outcome.problem == ""
        event = store.existing()["ГМО-2026-12-16"]
        assert outcome.stored == event
        assert (event.content_hash, event.cancelled, event.summary) == (spec.content_hash, False, "ГМО: Тема")
        assert event.event_id and event.link

    def test_update_increments_sequence_and_keeps_the_id(self, store: CalendarStore) -> None:
        sync(store, [make_spec("ГМО-1")])
        before = store.existing()["ГМО-1"]
        changed = make_spec("ГМО-1", topic="Новая тема", hour=15)
        plan, [outcome] = sync(store, [changed])
        assert kinds(plan) == [EventActionKind.UPDATE]
        after = store.existing()["ГМО-1"]
        assert outcome.stored == after
        assert after.event_id == before.event_id
        assert after.sequence == before.sequence + 1
        assert (after.content_hash, after.summary) == (changed.content_hash, "ГМО: Новая тема")

    def test_a_cancelled_meeting_cancels_its_event(self, store: CalendarStore) -> None:
        sync(store, [make_spec("ГМО-1"), make_spec("ГМО-2", day=17), make_spec("ГМО-3", day=18)])
        before = store.existing()["ГМО-1"]
        plan, _ = sync(store, [make_spec("ГМО-1", cancelled=True), make_spec("ГМО-2", day=17),
                               make_spec("ГМО-3", day=18)])  # fmt: skip
        assert kinds(plan) == [EventActionKind.CANCEL, EventActionKind.KEEP, EventActionKind.KEEP]
        after = store.existing()["ГМО-1"]
        assert after.cancelled and after.event_id == before.event_id
        assert after.sequence > before.sequence
        assert not store.existing()["ГМО-2"].cancelled

    def test_a_deleted_row_cancels_its_event(self, store: CalendarStore) -> None:
        sync(store, [make_spec("ГМО-1"), make_spec("ГМО-2", day=17), make_spec("ГМО-3", day=18)])
        plan, [*_, outcome] = sync(store, [make_spec("ГМО-2", day=17), make_spec("ГМО-3", day=18)])
        assert plan.actions[-1].kind == EventActionKind.CANCEL and plan.actions[-1].spec is None
        gone = store.existing()["ГМО-1"]
        assert gone.cancelled and gone.summary == "ГМО: Тема"  # kept as it was, only cancelled
        assert outcome.stored == gone

    def test_a_cancelled_event_comes_back_when_the_meeting_does(self, store: CalendarStore) -> None:
        sync(store, [make_spec("ГМО-1")])
        sync(store, [make_spec("ГМО-1", cancelled=True)])
        cancelled = store.existing()["ГМО-1"]
        plan, _ = sync(store, [make_spec("ГМО-1")])
        assert kinds(plan) == [EventActionKind.UPDATE]
        restored = store.existing()["ГМО-1"]
        assert not restored.cancelled and restored.sequence > cancelled.sequence

    def test_applying_the_same_plan_twice_creates_nothing(self, store: CalendarStore) -> None:
        plan = plan_events(
            [make_spec("ГМО-1"), make_spec("ГМО-2", day=17)], {}, set(), allow_mass_cancel=False
        )
        first = store.apply(plan.actions)
        second = store.apply(plan.actions)  # a retried run with a stale plan
        assert [o.stored for o in second] == [o.stored for o in first]
        assert sorted(store.existing()) == ["ГМО-1", "ГМО-2"]
        assert {e.sequence for e in store.existing().values()} == {0}

    def test_a_create_for_a_meeting_that_has_an_event_reconciles(self, store: CalendarStore) -> None:
        # The sheet lost the link (a crash before write-back, a cleared cell): found, not doubled.
        sync(store, [make_spec("ГМО-1")])
        event = store.existing()["ГМО-1"]
        stale = EventAction(EventActionKind.CREATE, "гмо-1", make_spec("гмо-1", topic="Другая"), None)
        [outcome] = store.apply([stale])
        assert len(store.existing()) == 1
        assert outcome.stored is not None and outcome.stored.event_id == event.event_id

    def test_creates_riding_with_the_listing_leave_the_plan_as_it_was(self, make_store: MakeStore) -> None:
        """``existing(creating)``: a store may send the creates with its listing; it answers as before
        them, so the plan is the dry run's, and ``apply`` reports each created once."""
        specs = [make_spec("ГМО-1"), make_spec("ГМО-2", day=17)]
        store = make_store()
        existing = store.existing(plan_events(specs, {}, set(), allow_mass_cancel=False).actions)
        assert existing == {}
        plan = plan_events(specs, existing, {"ГМО-1", "ГМО-2"}, allow_mass_cancel=False)
        assert kinds(plan) == [EventActionKind.CREATE, EventActionKind.CREATE]
        outcomes = store.apply(plan.actions)
        assert all(o.problem == "" and o.stored is not None for o in outcomes)
        reopened = make_store().existing()
        assert [o.stored for o in outcomes] == [reopened["ГМО-1"], reopened["ГМО-2"]]
        assert {e.sequence for e in reopened.values()} == {0}  # made once, never patched after

    def test_a_create_riding_with_the_listing_for_an_existing_event_changes_nothing(
        self, make_store: MakeStore
    ) -> None:
        sync(make_store(), [make_spec("ГМО-1")])
        before = make_store().existing()
        store, specs = make_store(), [make_spec("ГМО-1")]
        existing = store.existing(plan_events(specs, {}, set(), allow_mass_cancel=False).actions)
        assert existing == before  # the listing as it was: the event that made the create fail is there
        plan = plan_events(specs, existing, {"ГМО-1"}, allow_mass_cancel=False)
        assert kinds(plan) == [EventActionKind.KEEP]
        [outcome] = store.apply(plan.actions)
        assert outcome.stored == before["ГМО-1"] and make_store().existing() == before

    def test_planning_again_after_a_run_keeps_everything(self, store: CalendarStore) -> None:
        specs = [make_spec("ГМО-1"), make_spec("ГМО-2", day=17, cancelled=True), make_spec("ГМО-3", day=18)]
        sync(store, specs)
        plan, outcomes = sync(store, specs)
        assert set(kinds(plan)) == {EventActionKind.KEEP}
        assert [o.stored for o in outcomes] == [store.existing()[a.meeting_id] for a in plan.actions]

    def test_keep_changes_nothing(self, store: CalendarStore) -> None:
        sync(store, [make_spec("ГМО-1")])
        before = store.existing()
        plan, [outcome] = sync(store, [make_spec("ГМО-1")])
        assert kinds(plan) == [EventActionKind.KEEP]
        assert store.existing() == before and outcome.stored == before["ГМО-1"]

    def test_one_outcome_per_action_in_order(self, store: CalendarStore) -> None:
        sync(store, [make_spec("ГМО-1"), make_spec("ГМО-2", day=17)])
        plan, outcomes = sync(store, [make_spec("ГМО-3", day=18), make_spec("ГМО-2", day=17, hour=10),
                                      make_spec("ГМО-1", cancelled=True)])  # fmt: skip
        assert [o.meeting_id for o in outcomes] == [a.meeting_id for a in plan.actions]
        assert kinds(plan) == [EventActionKind.CREATE, EventActionKind.UPDATE, EventActionKind.CANCEL]
        assert all(o.problem == "" and o.stored is not None for o in outcomes)

    def test_a_reopened_store_sees_the_same_events(self, make_store: MakeStore) -> None:
        first = make_store()
        sync(first, [make_spec("ГМО-1"), make_spec("ГМО-2", day=17, topic="Вторая")])
        sync(first, [make_spec("ГМО-1", hour=16), make_spec("ГМО-2", day=17, topic="Вторая", cancelled=True)])
        reopened = make_store()
        assert reopened.existing() == first.existing()
        plan, _ = sync(reopened, [make_spec("ГМО-1", hour=16),
                                  make_spec("ГМО-2", day=17, topic="Вторая", cancelled=True)])  # fmt: skip
        assert set(kinds(plan)) == {EventActionKind.KEEP}

    def test_expected_links_are_the_links_the_actions_leave(self, store: CalendarStore) -> None:
        """What a dry run writes back (``expected_links``) is what the run does, wherever it can know it."""
        history = [
            [make_spec("ГМО-1"), make_spec("ГМО-2", day=17)],  # create
            [make_spec("ГМО-1", hour=16), make_spec("ГМО-2", day=17)],  # update, keep
            [make_spec("ГМО-1", hour=16, cancelled=True), make_spec("ГМО-2", day=17)],  # cancel, keep
        ]
        known = 0
        for specs in history:
            plan = plan_events(specs, store.existing(), {s.meeting_id for s in specs}, allow_mass_cancel=True)
            expected = [store.expected_links(a) for a in plan.actions]
            for action, links, outcome in zip(plan.actions, expected, store.apply(plan.actions), strict=True):
                assert outcome.stored is not None, action.describe()
                if links.link is not None:
                    assert links.link == outcome.stored.link
                    known += 1
                if links.video is not None:
                    assert links.video == outcome.stored.video_link
        assert known >= 4  # an existing event's link is always known beforehand
