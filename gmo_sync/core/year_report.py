"""«Анализ работы ГМО за учебный год»: the year's figures and two charts, for the coordinator to comment.

The figures (``year_figures``) become template variables; the charts — attendance per
held meeting with the average, decisions by how they stand — are pictures drawn from
the same figures. The shipped template leaves headed blank sections for the
coordinator's own analysis: the tool counts, people judge.
"""

from __future__ import annotations

from gmo_sync.core.documents import DocumentSpec, base_context
from gmo_sync.core.model import academic_year_label
from gmo_sync.core.plan_report import file_label, year_context, year_row
from gmo_sync.core.problems import Problem
from gmo_sync.core.reports import DocumentRequest
from gmo_sync.core.schema import MEETINGS
from gmo_sync.core.year_figures import DecisionOutcome, YearFigures, year_figures
from gmo_sync.rendering import glued_numbers
from gmo_sync.rendering.charts import Picture, bar_chart

KIND = "year"
OUTCOME_COLOURS = {
    DecisionOutcome.ON_TIME: "#548235",
    DecisionOutcome.LATE: "#A9D18E",
    DecisionOutcome.DONE_UNDATED: "#C5E0B4",
    DecisionOutcome.IN_PROGRESS: "#4472C4",
    DecisionOutcome.OVERDUE: "#C00000",
}


def number_text(value: float | None) -> str:
    """«13», «12,5», or "" when unknown."""
    if value is None:
        return ""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded.is_integer() else f"{rounded:.1f}".replace(".", ",")


def attendance_chart(figures: YearFigures) -> Picture | None:
    known = [(m, n) for m, n in figures.attendance if n is not None]
    if not known:
        return None
    return bar_chart(
        [m.date.strftime("%d.%m.%Y") for m, _ in known],
        [n for _, n in known],
        title="Посещаемость заседаний",
        ylabel="присутствовало, человек",
        average=figures.average_attendance if len(known) > 1 else None,
    )


def decisions_chart(figures: YearFigures) -> Picture | None:
    counts = figures.outcome_counts()
    if not figures.decisions:
        return None
    shown = [o for o in DecisionOutcome.ORDER if counts[o] or o != DecisionOutcome.DONE_UNDATED]
    return bar_chart(
        shown,
        [counts[o] for o in shown],
        title=f"Решения заседаний ({len(figures.decisions)}): как выполняются",
        colors=[OUTCOME_COLOURS[o] for o in shown],
        horizontal=True,
    )


def figures_context(figures: YearFigures) -> dict[str, object]:
    counts = figures.outcome_counts()
    done = sum(counts[o] for o in DecisionOutcome.DONE)
    known = [n for _, n in figures.attendance if n is not None]
    return {
        "заседаний_всего": len(figures.meetings),
        "проведено": len(figures.held),
        "отменено": len(figures.cancelled),
        "запланировано": len(figures.planned),
        "онлайн": figures.online,
        "очно": figures.offline,
        "средняя_посещаемость": number_text(figures.average_attendance),
        "всего_присутствовало": sum(known),
        "заседания": [
            {
                "номер": n,
                "дата": m.date.strftime("%d.%m.%Y"),
                "номер_протокола": m.protocol_number if m.protocol_number is not None else "",
                "тема": m.topic,
                "формат": m.format.value if m.format else "",
                "статус": m.status.value,
                "присутствовало": m.present_count if m.present_count is not None else "",
            }
            for n, m in enumerate(figures.meetings, 1)
        ],
        "посещаемость_участников": _people(figures),
        "докладчики": _speakers(figures),
        "число_докладчиков": len(figures.speakers),
        "организации": [{"организация": glued_numbers(o), "человек": n} for o, n in figures.organisations],
        "число_организаций": len(figures.organisations),
        "решения_итого": {
            "всего": len(figures.decisions),
            "выполнено": done,
            "в_срок": counts[DecisionOutcome.ON_TIME],
            "с_опозданием": counts[DecisionOutcome.LATE],
            "без_даты": counts[DecisionOutcome.DONE_UNDATED],
            "в_работе": counts[DecisionOutcome.IN_PROGRESS],
            "просрочено": counts[DecisionOutcome.OVERDUE],
        },
        "решения_невыполненные": _open_decisions(figures),
    }


def _people(figures: YearFigures) -> list[dict[str, object]]:
    return [
        {
            "номер": n,
            "фио": p.name,
            "должность": p.participant.position if p.participant else "",
            "присутствовал": p.present,
            "из": p.marked,
            "процент": p.percent,
        }
        for n, p in enumerate(figures.people, 1)
    ]


def _speakers(figures: YearFigures) -> list[dict[str, object]]:
    return [
        {
            "номер": n,
            "фио": s.name,
            "организация": glued_numbers(s.participant.organisation) if s.participant else "",
            "заседаний": s.meetings,
        }
        for n, s in enumerate(figures.speakers, 1)
    ]


def _open_decisions(figures: YearFigures) -> list[dict[str, object]]:
    rows = []
    for meeting, decision, outcome in figures.decisions:
        if outcome not in (DecisionOutcome.OVERDUE, DecisionOutcome.IN_PROGRESS):
            continue
        number = meeting.protocol_number
        rows.append({
            "протокол": f"№ {number} от {meeting.date:%d.%m.%Y}" if number else f"{meeting.date:%d.%m.%Y}",
            "решение": decision.text,
            "ответственный": decision.responsible,
            "срок": decision.deadline.text if decision.deadline else "",
            "состояние": outcome,
        })  # fmt: skip
    return rows


def build_year(request: DocumentRequest, start: int) -> list[DocumentSpec]:
    label = academic_year_label(start)
    figures = year_figures(request.meetings, request.people, start, request.today)
    if not figures.meetings:
        message = f"за {label} учебный год заседаний нет: анализ не составлен"
        request.problems.append(Problem(MEETINGS.name, message))
        return []
    context = base_context(request.config, request.today)
    context.update(year_context(year_row(request, start), start))
    context.update(figures_context(figures))
    # "" rather than None when there is nothing to draw: templates test {% if график_… %}
    context["график_посещаемости"] = attendance_chart(figures) or ""
    context["график_решений"] = decisions_chart(figures) or ""
    name = f"Анализ работы ГМО за {file_label(start)} учебный год"
    return [DocumentSpec(f"{KIND}:{label}", KIND, name, context)]
