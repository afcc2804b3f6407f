"""The compiled template and the render pool: docxtpl's output, made once per run, on every CPU.

What must hold: a compiled render writes the same parts as docxtpl's own render + save; documents rendered
in worker processes are byte for byte those of a sequential render, handed back (and saved) in plan order;
the bookkeeping marks are in the document as written, and the next run finds it untouched.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docx
import openpyxl
import pytest
from docxtpl import DocxTemplate

from gmo_sync.backends.local.protocols import LocalProtocolStore, text_hash
from gmo_sync.backends.local.setup import create_local_workspace
from gmo_sync.backends.local.workbook import LocalWorkbook
from gmo_sync.core.actions import Status
from gmo_sync.core.apply.protocols import apply_protocols
from gmo_sync.core.plan.protocols import plan_protocol_step, plan_protocols
from gmo_sync.core.plan.sync import plan_sync
from gmo_sync.core.reading import parse_sheet
from gmo_sync.core.report import RunReport
from gmo_sync.rendering import TEMPLATE_NAMES, Body, TemplateError, compile_template, template_bytes
from gmo_sync.rendering.engine import _ENV
from gmo_sync.rendering.pool import cpu_count, render_many, worker_count
from tests.frozen import TODAY
from tests.reliability_support import HEADERS, meetings
from tests.test_rendering import context_for, make_meeting, make_template, paragraphs

REPO = Path(__file__).resolve().parents[1]
needs_two_cpus = pytest.mark.skipif(cpu_count() < 2, reason="the render pool needs two CPUs")


def members(docx_bytes: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def docxtpl_render(template: bytes, context: dict[str, object]) -> bytes:
    """What docxtpl itself makes of the template, in the same sandbox."""
    doc = DocxTemplate(io.BytesIO(template))
    doc.render(dict(context), jinja_env=_ENV)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def tagged_everywhere() -> bytes:
    """A template with tags in the body, a header, a footer and the title property."""
    document = docx.Document()
    document.add_paragraph("Тема: {{ тема }}")
    document.add_paragraph("{% for п in повестка %}{{ п.номер }}. {{ п.вопрос }}\n{% endfor %}")
    section = document.sections[0]
    section.header.paragraphs[0].text = "Протокол № {{ номер_протокола }}"
    section.footer.paragraphs[0].text = "{{ город }}, {{ дата }}"
    document.core_properties.title = "Протокол {{ дата }}"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_a_compiled_render_writes_the_parts_docxtpl_writes(name: str) -> None:
    context = context_for(make_meeting())
    ours = members(compile_template(template_bytes(name), template_name=name).render(context))
    theirs = members(docxtpl_render(template_bytes(name), context))
    assert set(ours) == set(theirs)
    assert [m for m in theirs if ours[m] != theirs[m]] == []


def test_tags_in_headers_footers_and_properties_are_rendered_as_docxtpl_does() -> None:
    template, context = tagged_everywhere(), context_for(make_meeting())
    ours = members(compile_template(template, template_name="t.docx").render(context))
    theirs = members(docxtpl_render(template, context))
    assert [m for m in theirs if ours[m] != theirs[m]] == []
    rendered = docx.Document(io.BytesIO(compile_template(template, template_name="t.docx").render(context)))
    section = rendered.sections[0]
    assert section.header.paragraphs[0].text == f"Протокол № {context['номер_протокола']}"
    assert section.footer.paragraphs[0].text == f"{context['город']}, {context['дата']}"
    assert rendered.core_properties.title == f"Протокол {context['дата']}"


def test_the_stamp_gets_the_hash_of_the_text_as_rendered() -> None:
    compiled = compile_template(template_bytes("default"), template_name="default.docx")
    seen: list[Body] = []

    def stamp(body: Body) -> dict[str, str]:
        seen.append(body)
        return {"identifier": "gmo-sync:X", "version": f"in:{body.text_hash}"}

    result = compiled.render(context_for(make_meeting()), stamp)
    properties = docx.Document(io.BytesIO(result)).core_properties
    with zipfile.ZipFile(io.BytesIO(result)) as archive:
        assert seen == [Body(text_hash(result), archive.getinfo("word/document.xml").CRC)]
    assert (properties.identifier, properties.version) == ("gmo-sync:X", f"in:{seen[0].text_hash}")
    assert paragraphs(result) == paragraphs(compiled.render(context_for(make_meeting())))


def test_an_unknown_property_in_a_stamp_is_refused() -> None:
    compiled = compile_template(template_bytes("default"), template_name="default.docx")
    with pytest.raises(ValueError, match="colour"):
        compiled.render(context_for(make_meeting()), lambda _: {"colour": "red"})


def test_renders_side_by_side_in_threads_give_the_bytes_of_one_at_a_time() -> None:
    # the google backend renders in its upload threads; documents of different sizes made side by side
    # once shared one zip entry, whose sizes and CRC each write fills in (corrupt archives, now and then)
    compiled = compile_template(template_bytes("default"), template_name="default.docx")
    contexts = [context_for(make_meeting(topic="Тема " + "ы" * n)) for n in range(400)]
    one_at_a_time = [compiled.render(context) for context in contexts]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(compiled.render, contexts)) == one_at_a_time


def _jobs(count: int) -> list[tuple[dict[str, object], None]]:
    return [(context_for(make_meeting(topic=f"Тема {n}")), None) for n in range(count)]


@needs_two_cpus
def test_documents_rendered_by_workers_are_the_sequential_bytes_in_job_order() -> None:
    source = template_bytes("gost")
    compiled = compile_template(source, template_name="gost.docx")
    jobs = _jobs(37)  # not a whole number of chunks
    sequential = list(render_many(compiled, source, jobs, workers=0))
    pooled = list(render_many(compiled, source, jobs, workers=2))
    assert pooled == sequential
    assert [paragraphs(d)[1:2] for d in sequential][:2] != [[], []]
    assert len(set(sequential)) == len(jobs)  # each its own document


@needs_two_cpus
def test_a_template_error_in_a_worker_comes_after_every_earlier_document() -> None:
    source = make_template("{{ тема.upper() if тема != 'Тема 9' else нет.поля }}")
    compiled = compile_template(source, template_name="t.docx")
    handed: list[bytes] = []
    with pytest.raises(TemplateError, match="«нет»"):
        for document in render_many(compiled, source, _jobs(40), workers=2):
            handed.append(document)
    assert [paragraphs(d) for d in handed] == [[f"ТЕМА {n}"] for n in range(9)]


def test_small_runs_render_in_process_and_large_ones_on_every_cpu() -> None:
    assert worker_count(10, cpus=2) == 0
    assert worker_count(500, cpus=2) == 2
    assert worker_count(500, cpus=8) == 8
    assert worker_count(40, cpus=8) == 2  # a worker needs enough documents to pay for itself
    assert worker_count(500, cpus=1) == 0


# -- the local store, end to end ----------------------------------------------------------------------------
MEETINGS = meetings(60)  # 40 held: enough for two workers


def workspace_with_meetings(folder: Path) -> Path:
    create_local_workspace(folder, TODAY)
    book = openpyxl.load_workbook(folder / "ГМО.xlsx")
    sheet = book["Заседания"]
    header = [c.value for c in sheet[1]]
    for r, meeting in enumerate(MEETINGS, start=sheet.max_row + 1):
        for h, value in zip(HEADERS, meeting.row(), strict=True):
            if value:
                sheet.cell(r, header.index(h) + 1).value = value
    book.save(folder / "ГМО.xlsx")
    return folder


class RecordingStore(LocalProtocolStore):
    """The real store, noting the order documents reach the disk in."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.order: list[str] = []

    def save(self, meeting_id, name, content, input_hash, replaces):  # type: ignore[no-untyped-def]
        self.order.append(meeting_id)
        return super().save(meeting_id, name, content, input_hash, replaces)


@needs_two_cpus
def test_a_local_run_saves_in_plan_order_documents_marked_as_written(tmp_path: Path) -> None:
    folder = workspace_with_meetings(tmp_path / "ws")
    parsed = parse_sheet(LocalWorkbook(folder / "ГМО.xlsx").read(), TODAY)
    _, ready = plan_sync(parsed, TODAY, "academic")
    store = RecordingStore(folder / "protocols", folder, folder / "templates" / "default.docx")
    name, template = store.template()
    plans = plan_protocols(ready, store.existing(), template, organisation="ГМО", city="Красноярск")
    assert worker_count(len(plans)) >= 2  # the pool is what is under test
    leftover = folder / "protocols" / ".old.docx.x1.tmp"
    leftover.parent.mkdir(exist_ok=True)
    leftover.write_bytes(b"half")
    report = RunReport("protocols", False)
    step = plan_protocol_step(plans, store, pdf=False)
    links, actions = apply_protocols(step, store, (name, template), report)
    assert [a.status for a in actions] == [Status.DONE] * len(plans)
    assert store.order == [p.meeting.id for p in plans]
    assert len(links) == len(plans) and not report.problems
    assert not leftover.exists()
    found = store.existing()
    assert len(found) == len(plans)
    assert not any(s.edited_by_hand for s in found.values())  # the marks match the text as written
    assert {s.input_hash for s in found.values()} == {p.input_hash for p in plans}


def run_protocols(folder: Path, *, one_cpu: bool) -> dict[str, bytes]:
    """`gmo-sync protocols` as cron runs it; pinned to one CPU it renders everything in process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GMO_SYNC_")}
    env["GMO_SYNC_TIMEZONE"] = "Asia/Krasnoyarsk"
    pin = (lambda: os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})) if one_cpu else None
    done = subprocess.run(
        [sys.executable, "-c", "from gmo_sync.cli.main import main; main()", "protocols", "-q"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=600, preexec_fn=pin, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return {p.name: p.read_bytes() for p in sorted((folder / "protocols").glob("*.docx"))}


@needs_two_cpus
@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs CPU affinity to force one CPU")
def test_protocols_from_the_pool_are_byte_identical_to_a_one_cpu_run(tmp_path: Path) -> None:
    pristine = workspace_with_meetings(tmp_path / "pristine")
    pooled, single = tmp_path / "pooled", tmp_path / "single"
    for target in (pooled, single):
        shutil.copytree(pristine, target)
    on_all, on_one = run_protocols(pooled, one_cpu=False), run_protocols(single, one_cpu=True)
    assert len(on_all) == len([m for m in MEETINGS if m.held]) + 1  # and init's own held meeting
    assert on_all == on_one  # two runs at different moments: nothing but the data enters the bytes
