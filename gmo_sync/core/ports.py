"""The contracts every backend implements — sheet, protocol store, calendar, document store — and the
words they speak: what is stored (``StoredProtocol``, ``StoredEvent`` …), what is asked of a calendar
(``EventSpec``, ``EventAction``), and ``Backends``, the bundle a command opens. The core plans with
these and the backends implement them; neither side defines them anywhere else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from gmo_sync.core.model import AgendaItem, id_key
from gmo_sync.core.problems import BackendError
from gmo_sync.core.sheet import CellWrite, SheetSnapshot

if TYPE_CHECKING:
    from gmo_sync.core.repair import SheetRepair
    from gmo_sync.rendering import Stamp


@dataclass(frozen=True)
class WriteReport:
    written: int
    skipped: list[str]  # "place: message" (Russian): cells not written (their row moved away or vanished)
    notes: list[str] = field(default_factory=list)  # "place: message": cells written, but not as asked (cut)


class SheetBackend(Protocol):
    """The master sheet."""

    def describe(self) -> str:
        """Where the sheet is, for messages (a path or a spreadsheet title)."""
        ...

    def read(self) -> SheetSnapshot:
        """Every tab, in one read."""
        ...

    def ensure_writable(self) -> None:
        """Raise ``WorkbookBusyError`` when writing now would race an editor."""
        ...

    def write(self, writes: Sequence[CellWrite]) -> WriteReport:
        """Apply all writes at once, as plain values (never formulas)."""
        ...

    def repair(self, repairs: Sequence[SheetRepair]) -> None:
        """Create the tool's missing tabs and headers that ``repairs`` lists, and nothing else."""
        ...


@dataclass(frozen=True)
class StoredProtocol:
    """A protocol document that exists in the store."""

    meeting_id: str
    name: str  # file or document name
    location: str  # path relative to the workspace, or a Drive file ID
    input_hash: str  # hash of the data it was rendered from
    edited_by_hand: bool  # changed since the tool last wrote it


@dataclass(frozen=True)
class ProtocolCopy:
    """A document that claims a meeting but is not its protocol: a copy, renamed or edited.

    The store never overwrites, deletes or links one; the run reports it once (the Журнал remembers)."""

    meeting_id: str
    name: str  # file or document name, as the folder shows it


@dataclass(frozen=True)
class ProtocolLink:
    text: str  # what the cell shows
    url: str  # the hyperlink target (relative path locally, webViewLink on Google)


class ProtocolStore(Protocol):
    def describe(self) -> str: ...

    def existing(self) -> dict[str, StoredProtocol]:
        """Protocols already in the store, by meeting ID."""
        ...

    def copies(self) -> list[ProtocolCopy]:
        """What the last ``existing()`` found claiming a meeting without being its protocol."""
        ...

    def stamp(
        self, meeting_id: str, input_hash: str, name: str = "", replaces: StoredProtocol | None = None
    ) -> Stamp | None:
        """Core properties the store keeps in the document, set while rendering; None for none.

        ``name`` and ``replaces`` are what ``save`` will get. Must be picklable (documents may be
        rendered in worker processes).
        """
        ...

    def save(
        self, meeting_id: str, name: str, content: bytes, input_hash: str, replaces: StoredProtocol | None
    ) -> StoredProtocol:
        """Create a protocol, or replace ``replaces`` in place (renaming it to ``name``).

        ``content`` is the .docx rendered with ``stamp(meeting_id, input_hash)``.
        """
        ...

    def link(self, stored: StoredProtocol) -> ProtocolLink: ...

    def planned_link(
        self, meeting_id: str, name: str, replaces: StoredProtocol | None
    ) -> ProtocolLink | None:
        """The link ``save(meeting_id, name, …, replaces)`` will give, for the plan; None when only the
        save can tell (a new Google Doc's URL). A dry run shows exactly the write-back the run makes."""
        ...

    def pdf_current(self, stored: StoredProtocol) -> bool:
        """Whether the protocol's PDF copy is up to date, so ``--pdf`` plans no new one."""
        ...

    def export_pdf(self, stored: StoredProtocol) -> str | None:
        """Make or refresh the protocol's PDF copy; its name, or None when the copy is current."""
        ...

    def template(self) -> tuple[str, bytes]:
        """The template's name (for messages) and its .docx bytes."""
        ...


@dataclass(frozen=True)
class StoredEvent:
    """A calendar event gmo-sync made, as the store has it now."""

    meeting_id: str  # as recorded in the event (compare with ``id_key``)
    event_id: str  # UID in an .ics file, the event ID on Google
    link: str  # what the Событие cell links to: htmlLink on Google, the .ics file's relative URL locally
    video_link: str  # the video-meeting link, or ""
    content_hash: str  # ``EventSpec.content_hash`` it was last written from
    cancelled: bool
    sequence: int  # RFC 5545 SEQUENCE: grows with every change
    summary: str = ""  # for messages (a deleted row's event has no spec to name it by)


@dataclass(frozen=True)
class EventSpec:
    """What the calendar event of one meeting should say."""

    meeting_id: str
    summary: str
    start: dt.datetime  # aware, in the configured zone
    end: dt.datetime
    description: str
    location: str
    url: str  # the meeting's own link when «Место или ссылка» is one, else ""
    cancelled: bool
    attendees: tuple[str, ...] = ()  # e-mails, sorted; only when config.calendar.invite
    want_video: bool = False  # ask the store for a video meeting (the meeting has no link of its own)
    # the «Повестка» item from which the description was cut to fit the store's limit (not in the hash:
    # the description itself is)
    cut_at: AgendaItem | None = field(default=None, compare=False)

    @property
    def zone_name(self) -> str:
        return getattr(self.start.tzinfo, "key", "") or str(self.start.tzinfo)

    @property
    def content_hash(self) -> str:
        """Hash of every field the event shows; the sheet's tool-owned cells are not among them."""
        payload = {
            "meeting": id_key(self.meeting_id),
            "summary": self.summary,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "zone": self.zone_name,
            "description": self.description,
            "location": self.location,
            "url": self.url,
            "cancelled": self.cancelled,
            "attendees": sorted(a.casefold() for a in self.attendees),
            "want_video": self.want_video,
        }
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class EventActionKind(StrEnum):
    CREATE = "создать"
    UPDATE = "обновить"
    CANCEL = "отменить"
    KEEP = "без изменений"


@dataclass(frozen=True)
class EventAction:
    kind: EventActionKind
    meeting_id: str
    spec: EventSpec | None  # None only when cancelling the event of a deleted row
    existing: StoredEvent | None  # None only for CREATE
    reason: str = ""  # why a CANCEL (Russian)

    @property
    def summary(self) -> str:
        if self.spec is not None:
            return self.spec.summary
        return self.existing.summary if self.existing is not None else ""

    def describe(self) -> str:
        label = (
            f"«{self.summary}» (заседание {self.meeting_id})"
            if self.summary
            else f"заседания {self.meeting_id}"
        )
        if self.kind == EventActionKind.KEEP:
            return f"событие {label} без изменений"
        reason = f": {self.reason}" if self.reason else ""
        return f"{self.kind} событие {label}{reason}"


@dataclass(frozen=True)
class EventOutcome:
    """What became of one action in ``CalendarStore.apply``."""

    meeting_id: str
    stored: StoredEvent | None  # the event after the action; None if it failed or no longer exists
    problem: str = ""  # Russian message when this one action failed; the others still count


@dataclass(frozen=True)
class EventLinks:
    """The links an event will have once an action is applied, as far as the store knows beforehand."""

    link: str | None  # what the Событие cell will link to; None: known only once the event exists
    video: str | None  # the video-meeting link; None: one will be made, known only then; "": none


class CalendarStore(Protocol):
    """The calendar: events for online meetings.

    ``apply`` takes the whole plan at once so a remote implementation can batch
    its requests and the local one writes its file once. It must be exactly-once:
    a CREATE for a meeting that already has an event reconciles with that event
    instead of making a second one. A failure of one event is an outcome's
    ``problem``; a failure of the whole store (unreadable file, no connection)
    raises ``BackendError``.
    """

    def describe(self) -> str: ...

    # True: ``existing`` sends the creates it is given along with its listing, saving a round trip;
    # a run then reads the calendar only after the documents, whose links the new events carry.
    creates_ride_with_listing: bool

    def existing(self, creating: Sequence[EventAction] = ()) -> dict[str, StoredEvent]:
        """Events gmo-sync made (cancelled ones too), by meeting ID; nobody else's events.

        ``creating``: creates the sheet alone calls for (``plan.calendar.creates_from_sheet``). A store
        that ``creates_ride_with_listing`` sends them with its listing — safe, a create is exactly-once
        — and still answers with the events as they were before them, so the plan is the one a dry run
        shows; its ``apply`` then takes their answers. Any other store ignores them.
        """
        ...

    def apply(self, actions: Sequence[EventAction]) -> list[EventOutcome]:
        """Carry out the actions; one outcome per action, in order (KEEP: the event as it is)."""
        ...

    def expected_links(self, action: EventAction) -> EventLinks:
        """The links ``apply([action])`` will leave, for the plan; where not None, the outcome has them."""
        ...


@dataclass(frozen=True)
class StoredDocument:
    """A document other than a protocol (a report, an extract) that exists in the store."""

    key: str  # its identity: «decisions», «extract:ГМО-2021-10-13:вопрос:1»
    name: str  # file or document name
    location: str  # path relative to the documents folder, or a Drive file ID
    input_hash: str  # hash of the data and template it was rendered from
    edited_by_hand: bool  # changed since the tool last wrote it


class DocumentStore(Protocol):
    """Reports and extracts, kept the way protocols are: found by key, updated in place, never twice.

    Templates are looked up by kind («decisions», «extract»): a file of that name in the
    workspace's templates folder replaces the one shipped with gmo-sync.
    """

    def describe(self) -> str: ...

    def find(self, key: str) -> StoredDocument | None: ...

    def save(
        self, key: str, name: str, content: bytes, input_hash: str, replaces: StoredDocument | None
    ) -> StoredDocument:
        """Create a document, or replace ``replaces`` in place (renaming it to ``name``)."""
        ...

    def link(self, stored: StoredDocument) -> ProtocolLink: ...

    def pdf_current(self, stored: StoredDocument) -> bool:
        """Whether the document's PDF copy is up to date, so ``--pdf`` plans no new one."""
        ...

    def export_pdf(self, stored: StoredDocument) -> str | None:
        """Make or refresh the PDF copy; its name, or None when the copy is current."""
        ...

    def template(self, kind: str) -> tuple[str, bytes]:
        """The template of a kind of document: its name (for messages) and .docx bytes."""
        ...


class MailError(BackendError):
    """A letter that was not sent, or may not have been; ``str()`` is the Russian reason.

    ``delivered_maybe`` is True when the server may have accepted the letter before the
    failure (the connection dropped during the transfer): such a letter is not sent
    again without ``--resend``. Otherwise the server certainly did not take it.
    """

    def __init__(self, message: str, *, delivered_maybe: bool = False) -> None:
        super().__init__(message)
        self.delivered_maybe = delivered_maybe


class Mailer(Protocol):
    """Sends letters: SMTP, or Gmail through the google backend's sign-in."""

    def describe(self) -> str: ...

    def send(self, message: EmailMessage) -> None:
        """Send one letter; raise ``MailError`` when it was not (or may not have been) sent."""
        ...

    def close(self) -> None: ...


@dataclass
class Backends:
    """What a command works with: one implementation of each port, opened from the config."""

    sheet: SheetBackend
    protocols: ProtocolStore
    calendar: CalendarStore | None = None
    documents: DocumentStore | None = None  # reports and extracts
    mailer: Mailer | None = None  # when [mail] is configured
    close: Callable[[], None] = lambda: None  # called after a run (the google backend keeps its token)
    warnings: list[str] = field(default_factory=list)  # shown on stderr before the run (an exposed key)
    # (requests retried, seconds waited for quota) so far, for the run summary; only Google has either
    stats: Callable[[], tuple[int, float]] = lambda: (0, 0.0)
