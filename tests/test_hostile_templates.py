"""Hostile templates end fast, in bounded memory, with a Russian sentence naming the template and the tag
(issue 15.2). Anyone who can edit the template can write these; none may hang cron or eat the machine.
"""

from __future__ import annotations

import io
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import docx
import pytest

from gmo_sync.rendering import TemplateError, render_protocol, template_bytes
from gmo_sync.rendering.budget import Limits, rendering
from tests.conftest import Invoke
from tests.fakegoogle.server import FakeGoogle
from tests.google_env import GoogleInvoke
from tests.hostile_support import clean_env
from tests.reliability_support import GMO_SYNC
from tests.test_google_protocols import template_doc_id
from tests.test_google_sheet import init_workspace, type_rows

PEAK_LIMIT_MB = 500


def template_with(*paragraphs: str) -> bytes:
    document = docx.Document()
    document.add_paragraph("Протокол")
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def rendered_error(*paragraphs: str, limits: Limits | None = None) -> TemplateError:
    with pytest.raises(TemplateError) as caught:
        if limits is None:
            render_protocol(template_with(*paragraphs), {"тема": "Тема"}, template_name="злой.docx")
        else:
            with rendering(limits):  # the outer budget is the one in force
                render_protocol(template_with(*paragraphs), {"тема": "Тема"}, template_name="злой.docx")
    return caught.value


BOMBS = [
    ("{{ 'a' * 10**9 }}", "умножение даёт значение не меньше 1 000 МБ"),
    ("{{ [1] * 10**9 }}", "умножение даёт значение"),
    ("{% for x in range(10**9) %}x{% endfor %}", "range(1 000 000 000) — это 1 000 000 000 шагов"),
    ("{% for x in range(1000) %}{% for y in range(1000) %}{% endfor %}{% endfor %}", "осталось"),
    ("{% for c in 'a' * 1000000 %}{% endfor %}", "циклы шаблона сделали больше 100 000 шагов"),
    ("{% for i in range(99999) %}{{ 'x' * 1000 }}{% endfor %}", "протокол получается длиннее 2 000 000"),
    ("{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
     "соединение строк (~) даёт значение"),
    ("{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
     "операция «+» даёт значение"),
    ("{{ 'a'|center(999999999) }}", "фильтр «center»: число 999 999 999 больше допустимого"),
    ("{{ 'x'.ljust(10**8) }}", "метод «ljust»: число 100 000 000"),
    ("{{ '%999999999d' % 1 }}", "ширина или число повторов 999 999 999"),
    ("{{ '{:>999999999}'.format(1) }}", "ширина или число повторов 999 999 999"),
    ("{{ range(100000)|join('x' * 1000000) }}", "фильтр join даёт значение"),
    ("{{ ('a' * 1000000)|replace('a', 'b' * 100) }}", "замена (replace) даёт значение"),
    ("{{ ('a' * 1000000)|list|length }}", "фильтр «list» даёт значение"),
    ("{{ 2 ** 100000000 }}", "число получается слишком большим"),
    ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "макрос вызывает сам себя без конца"),
]  # fmt: skip


@pytest.mark.parametrize(("tag", "expected"), BOMBS)
def test_a_bomb_is_refused_with_its_tag_in_bounded_memory(tag: str, expected: str) -> None:
    tracemalloc.start()
    started = time.monotonic()
    try:
        error = rendered_error(tag)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 30
    assert peak < 100_000_000, f"{peak / 1e6:.0f} MB"  # a Python-level bound; the CLI test measures RSS
    # the tag: the one that asked for too much, or the paragraph it is in
    assert error.tag and error.tag.startswith("{") and error.tag in tag, str(error)
    assert str(error).startswith(f"Ошибка в шаблоне «злой.docx», тег «{error.tag}»: ")
    assert expected in str(error)


def test_the_time_budget_stops_work_that_neither_loops_nor_outputs() -> None:
    # 2**40 macro calls: no loop, no output, no big value — only the deadline ends it
    tag = "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}"
    started = time.monotonic()
    error = rendered_error(tag, limits=Limits(max_seconds=1))
    assert time.monotonic() - started < 10
    assert "заполнение протокола заняло больше 1 с (rendering.max_seconds)" in str(error)
    assert f"тег «{tag}»" in str(error)


def test_limits_are_per_protocol_and_real_templates_fit_easily() -> None:
    for name in ("default", "gost"):
        with rendering(Limits(max_chars=200_000, max_iterations=1_000, max_seconds=5)):
            assert render_protocol(template_bytes(name), {"тема": "Т"}, template_name=f"{name}.docx")


def test_python_errors_in_a_tag_are_told_in_russian() -> None:
    assert "деление на ноль" in str(rendered_error("{{ 1 / 0 }}"))
    security = str(rendered_error("{{ тема.__class__.__mro__ }}"))
    assert "шаблон может только читать данные заседания" in security


def _cli_with_peak(
    args: list[str], cwd: Path, env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run the CLI under a small parent whose only child is gmo-sync: its RUSAGE_CHILDREN is that child."""
    probe = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
             "sys.exit(r.returncode)")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", probe, *GMO_SYNC, *args], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    peak_kb = int(result.stderr.strip().splitlines()[-1])
    return result, peak_kb // 1024


@pytest.mark.parametrize(("paragraph", "tag"), [
    ("{{ 'a' * 10**9 }}", "{{ 'a' * 10**9 }}"),
    ("{% for x in range(10**9) %}{{ x }}{% endfor %}", "{% for x in range(10**9) %}"),
])  # fmt: skip
def test_the_cli_ends_a_bomb_fast_with_exit_2_and_little_memory(workspace: Path, paragraph: str, tag: str
                                                                ) -> None:  # fmt: skip
    (workspace / "templates" / "default.docx").write_bytes(template_with(paragraph))
    started = time.monotonic()
    result, peak_mb = _cli_with_peak(["protocols"], workspace, clean_env())
    elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stdout + result.stderr
    assert elapsed < 30
    assert peak_mb < PEAK_LIMIT_MB, f"{peak_mb} MB"
    assert f"Ошибка в шаблоне «default.docx», тег «{tag}»" in result.stderr
    assert "Непредвиденная ошибка" not in result.stderr and "OverflowError" not in result.stderr
    assert not any((workspace / "protocols").iterdir())


def test_the_limits_come_from_the_config(
    gmo: Invoke, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workspace / "templates" / "default.docx").write_bytes(
        template_with("{% for x in range(300) %}{{ тема }}{% endfor %}")
    )
    assert gmo("protocols", "--dry-run").exit_code == 0  # 300 steps: well inside the default budget
    monkeypatch.setenv("GMO_SYNC_RENDERING_MAX_LOOP_ITERATIONS", "100")
    result = gmo("protocols")
    assert result.exit_code == 2
    assert "range(300) — это 300 шагов, а всем циклам протокола вместе разрешено 100" in result.output
    monkeypatch.setenv("GMO_SYNC_RENDERING_MAX_LOOP_ITERATIONS", "1000")
    monkeypatch.setenv("GMO_SYNC_RENDERING_MAX_TEXT_MB", "0.1")
    (workspace / "templates" / "default.docx").write_bytes(
        template_with("{% for x in range(300) %}{{ 'текст ' * 100 }}{% endfor %}")
    )
    result = gmo("protocols")
    assert result.exit_code == 2 and "протокол получается длиннее 100 000 символов" in result.output


def test_a_bomb_in_the_google_template_doc_stops_the_run(
    gmo_google: GoogleInvoke, fake: FakeGoogle, coordinator
) -> None:  # type: ignore[no-untyped-def]
    book = init_workspace(gmo_google, coordinator)
    type_rows(book, "Заседания", [["", "", "13.10.2021", "14:00", "", "очно", "", "Тема", "", "", "", "", "",
                                   "проведено"]])  # fmt: skip
    doc_id = template_doc_id()
    fake.act({"action": "edit_doc", "documentId": doc_id, "replace": {"Протокол": "{{ 'a' * 10**9 }}"}})
    started = time.monotonic()
    result = gmo_google("protocols")
    assert time.monotonic() - started < 30
    assert result.exit_code == 2, result.output
    assert f"Ошибка в шаблоне «шаблон {doc_id}», тег «{{{{ 'a' * 10**9 }}}}»" in result.output
    assert "умножение даёт значение не меньше 1 000 МБ" in result.output


@pytest.mark.parametrize(("tag", "russian"), [
    ("{{ x y }}", "синтаксическая ошибка: ожидалось «конец {{ … }}», а стоит «y»"),
    ("{{ тема }", "синтаксическая ошибка: лишнее или незакрытое «}»"),
    ("{% for %}", "синтаксическая ошибка: ожидалось выражение, а стоит «конец {% … %}»"),
    ("{{ тема.y.z }}", "у значения типа str нет поля «y»"),
    ("{{ [].append(1) }}", "запрещено: обращение к «append» у значения типа list"),
])  # fmt: skip
def test_jinjas_own_messages_are_told_in_russian(tag: str, russian: str) -> None:
    assert russian in str(rendered_error(tag))
