"""Sample meetings, specs and settings for the calendar tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from gmo_sync.core.config import CalendarSettings, Config
from gmo_sync.core.model import AgendaItem, Format, Meeting, MeetingStatus
from gmo_sync.core.ports import EventSpec

ZONE = ZoneInfo("Asia/Krasnoyarsk")


def make_config(**calendar: Any) -> Config:
    return Config(path=None, root=Path("."), calendar=CalendarSettings(**calendar))


def make_meeting(**changes: Any) -> Meeting:
    meeting = Meeting(
        id="ГМО-2026-12-16",
        protocol_number=None,
        date=dt.date(2026, 12, 16),
        start=dt.time(14, 0),
        end=None,
        format=Format.ONLINE,
        place="https://meet.example/abc",
        topic="Читательская грамотность",
        hosts="Замятина Е.Д., методист",
        chair="",
        secretary="",
        participants="руководители РМО",
        attendance=None,
        status=MeetingStatus.PLANNED,
        protocol_link="",
        event_link="",
        video_link="",
        row=2,
        agenda=(
            AgendaItem("ГМО-2026-12-16", 1, "О плане работы", "Попыхова Т.Ю.", 2),
            AgendaItem("ГМО-2026-12-16", 2, "Разное", "", 3),
        ),
    )
    return replace(meeting, **changes)


def make_spec(
    meeting_id: str,
    *,
    topic: str = "Тема",
    day: int = 16,
    hour: int = 14,
    cancelled: bool = False,
    place: str = "https://meet.example/abc",
) -> EventSpec:
    start = dt.datetime(2026, 12, day, hour, 0, tzinfo=ZONE)
    return EventSpec(
        meeting_id=meeting_id,
        summary=f"ГМО: {topic}",
        start=start,
        end=start + dt.timedelta(minutes=90),
        description="Повестка:\n1. Вопрос — Докладчик",
        location=place,
        url=place if place.startswith("https://") else "",
        cancelled=cancelled,
    )
