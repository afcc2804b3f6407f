"""A budget for every protocol's rendering: text, loop steps, time — and memory that follows from them.

Anyone who can edit the template can write ``{{ 'a' * 10**9 }}`` or ``{% for x in range(10**9) %}``;
without limits one protocol takes gigabytes or hangs the cron job. Jinja's sandbox stops a template
from reaching outside its data but not from asking for a lot, so the environment here also:

* intercepts the operators that multiply size (``*``, ``**``, ``+``, ``%``) and refuses a result
  that would be larger than allowed *before* building it (``call_binop``);
* replaces ``range`` with one that counts its items against the loop budget;
* counts every step of every ``{% for %}`` (the parsed template's loops are wrapped) and checks the
  deadline on each step, each call and each piece of output;
* counts the rendered text as it streams out, so the limit is hit at the limit, not after;
* checks the size of what filters, method calls and ``~`` produce, refusing up front the ones that
  amplify (``center``, ``join``, ``replace``, ``ljust`` …), and charges every produced value to a
  running total, so a template cannot pile up memory a piece at a time.

Crossing a limit raises ``BudgetExceeded`` (a Jinja runtime error, so the usual error path names the
template and the tag). Limits are per protocol; a budget lives in a thread-local, since Google
uploads render on worker threads. Render worker processes get the limits by fork.

Longer than most modules on purpose: every guard spends the same ``Budget`` and must agree on what
«too big» means; split apart, a new guard could quietly miss one of the limits.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

__all__ = ["BudgetExceeded", "BudgetedSandbox", "Limits", "rendering", "set_limits"]

MAX_NUMBER_BITS = 100_000  # ~30,000 decimal digits: no protocol needs a larger number
_WIDTH = re.compile(r"\d+")
_AMPLIFYING_METHODS = {"ljust", "rjust", "center", "zfill", "expandtabs", "join", "replace", "format",
                       "format_map", "splitlines", "split", "rsplit"}  # fmt: skip


@dataclass(frozen=True)
class Limits:
    max_chars: int = 2_000_000  # rendered text, XML of every part included
    max_iterations: int = 100_000  # loop steps and range() items, all loops together
    max_seconds: float = 20.0

    @property
    def max_value_bytes(self) -> int:
        """One intermediate value (a string, a list) may take a few times the text limit."""
        return 8 * self.max_chars

    @property
    def max_total_bytes(self) -> int:
        """Everything the template produces along the way, garbage included."""
        return 64 * self.max_chars


_limits = Limits()


def set_limits(limits: Limits) -> None:
    """Configure the budget (from ``[rendering]`` in gmo-sync.toml) for the renders that follow."""
    global _limits
    _limits = limits


class BudgetExceeded(jinja2.TemplateRuntimeError):
    """A limit of the rendering budget; ``message`` is the Russian sentence for the user, ``hint`` what
    to look for in the paragraph (the operator, filter or function) to point at the right tag."""

    hint = ""


@contextmanager
def _hinted(hint: str) -> Iterator[None]:
    try:
        yield
    except BudgetExceeded as error:
        error.hint = error.hint or hint
        raise


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def _megabytes(size: int) -> str:
    if size < 1_000_000:
        return f"{_number(size)} байт"
    megabytes = size / 1_000_000
    shown = f"{megabytes:.1f}".removesuffix(".0").replace(".", ",") if megabytes < 100 else _number(megabytes)
    return f"{shown} МБ"


class Budget:
    """What one protocol may still spend."""

    def __init__(self, limits: Limits, timed: bool = True) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds if timed else float("inf")
        self.iterations = limits.max_iterations
        self.chars = limits.max_chars
        self.total_bytes = limits.max_total_bytes

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise BudgetExceeded(
                f"заполнение протокола заняло больше {_number(self.limits.max_seconds)} с "
                f"(rendering.max_seconds) и остановлено: проверьте циклы и вызовы макросов в этом теге"
            )

    def step(self, count: int = 1) -> None:
        self.iterations -= count
        if self.iterations < 0:
            raise BudgetExceeded(
                f"циклы шаблона сделали больше {_number(self.limits.max_iterations)} шагов "
                f"(rendering.max_loop_iterations): проверьте, по чему идёт цикл в этом теге"
            )
        self.check_time()

    def output(self, text: str) -> None:
        self.chars -= len(text)
        if self.chars < 0:
            raise BudgetExceeded(
                f"протокол получается длиннее {_number(self.limits.max_chars)} символов "
                f"(rendering.max_text_mb): этот тег повторяет или умножает текст без меры"
            )
        self.check_time()

    def allow(self, size: int, what: str) -> None:
        """Refuse a value of about ``size`` bytes before it is built; charge it once it is."""
        if size > self.limits.max_value_bytes:
            raise BudgetExceeded(
                f"{what} даёт значение не меньше {_megabytes(size)}, а допустимо "
                f"{_megabytes(self.limits.max_value_bytes)} (rendering.max_text_mb)"
            )
        self.total_bytes -= size
        if self.total_bytes < 0:
            raise BudgetExceeded(
                f"шаблон создаёт слишком много промежуточных значений (больше "
                f"{_megabytes(self.limits.max_total_bytes)} за протокол, rendering.max_text_mb)"
            )


_local = threading.local()


def _budget() -> Budget:
    """The budget of the protocol being rendered; outside a render (compiling, constant folding) a
    fresh one, so an amplifying constant like ``'a'|center(10**9)`` is refused at compile time too."""
    current = getattr(_local, "budget", None)
    return current if current is not None else Budget(_limits, timed=False)


@contextmanager
def rendering(limits: Limits | None = None) -> Iterator[Budget]:
    """One protocol's budget, for every part (body, headers, footers) rendered inside; inside another
    ``rendering()`` without limits of its own, the outer budget goes on being spent."""
    previous = getattr(_local, "budget", None)
    if previous is not None and limits is None:
        yield previous
        return
    _local.budget = budget = Budget(limits or _limits)
    try:
        yield budget
    finally:
        _local.budget = previous


def weight(value: object, limit: int) -> int:
    """Approximate bytes ``value`` holds; stops counting once past ``limit`` (only «too big» matters)."""
    if isinstance(value, str | bytes):
        return sys.getsizeof(value)
    if isinstance(value, list | tuple | set | frozenset | dict):
        total = sys.getsizeof(value)
        items: Iterable[object] = value.items() if isinstance(value, dict) else value
        for item in items:
            total += weight(item, limit - total) if isinstance(item, list | tuple | dict | str) else 32
            if total > limit:
                break
        return total
    if isinstance(value, int) and not isinstance(value, bool):
        return 28 + value.bit_length() // 8
    return 32


def _repeated(seq: object, times: int, limit: int) -> int:
    """Bytes of ``seq * times``: its characters (1, 2 or 4 bytes each, as CPython keeps them) or items."""
    if isinstance(seq, str):
        width = 1 if seq.isascii() else (2 if not seq or max(seq) <= "\uffff" else 4)
        return 49 + len(seq) * width * max(times, 0)
    return weight(seq, limit) * max(times, 0)


def _sized(value: object) -> bool:
    return isinstance(value, str | list | tuple)


def _predict_binop(operator: str, left: object, right: object, budget: Budget) -> None:
    limit = budget.limits.max_value_bytes
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if _sized(seq) and isinstance(times, int):
                budget.allow(_repeated(seq, times, limit), "умножение")
                return
        if isinstance(left, int) and isinstance(right, int):
            _check_bits(abs(left).bit_length() + abs(right).bit_length())
    elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
        _check_bits(max(abs(left).bit_length() - 1, 1) * right if abs(left) > 1 else 1)
    elif operator == "%" and isinstance(left, str):
        _check_widths(left, right, budget)


def _check_bits(bits: int) -> None:
    if bits > MAX_NUMBER_BITS:
        raise BudgetExceeded(f"число получается слишком большим (около {_number(bits * 0.30103)} цифр)")


def _check_widths(template: str, args: object, budget: Budget) -> None:
    """``'%999999999d' % 1`` and ``'{:>999999999}'.format(1)`` ask for a width, not for data."""
    numbers = [int(n) for n in _WIDTH.findall(template)]
    values = args if isinstance(args, tuple | list) else (args,)
    numbers += [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    if numbers and max(numbers) > budget.limits.max_chars:
        raise BudgetExceeded(
            f"ширина или число повторов {_number(max(numbers))} больше допустимого "
            f"({_number(budget.limits.max_chars)} символов, rendering.max_text_mb)"
        )


def _check_arguments(what: str, args: tuple[Any, ...], kwargs: dict[str, Any], budget: Budget) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and value > budget.limits.max_chars:
            raise BudgetExceeded(
                f"{what}: число {_number(value)} больше допустимого "
                f"({_number(budget.limits.max_chars)}, rendering.max_text_mb)"
            )


def _predict_text_op(name: str, subject: object, args: tuple[Any, ...], kwargs: dict[str, Any],
                     budget: Budget) -> None:  # fmt: skip
    """The size of ``join``/``replace``/``indent``/``wordwrap``/format before they run."""
    limit = budget.limits.max_value_bytes
    if name == "join" and isinstance(subject, str) and args and isinstance(args[0], list | tuple):
        budget.allow(len(subject) * len(args[0]) + weight(args[0], limit), "объединение (join)")
    elif name == "join" and isinstance(subject, list | tuple):
        separator = args[0] if args else kwargs.get("d", "")
        budget.allow(len(str(separator)) * len(subject) + weight(subject, limit), "фильтр join")
    elif name == "replace" and isinstance(subject, str) and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        count = subject.count(old) if old else len(subject) + 1
        budget.allow(len(subject) + count * max(len(new) - len(old), 0), "замена (replace)")
    elif name == "indent" and isinstance(subject, str):
        width = args[0] if args else kwargs.get("width", 4)
        pad = len(width) if isinstance(width, str) else int(width)
        budget.allow(len(subject) + (subject.count("\n") + 1) * max(pad, 0), "фильтр indent")
    elif name == "wordwrap" and isinstance(subject, str):
        width = int(args[0]) if args else int(kwargs.get("width", 79))
        wrap = str(args[2] if len(args) > 2 else kwargs.get("wrapstring") or "\n")
        budget.allow(len(subject) + (len(subject) // max(width, 1) + 1) * len(wrap), "фильтр wordwrap")
    elif name == "expandtabs" and isinstance(subject, str):
        size = int(args[0]) if args else 8
        budget.allow(len(subject) + subject.count("\t") * max(size, 0), "expandtabs")
    elif name in ("format", "format_map") and isinstance(subject, str):
        _check_widths(subject, (*args, *kwargs.values()), budget)


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)  # keeps jinja's pass_context/pass_eval_context marks
    def guarded(*args: Any, **kwargs: Any) -> Any:
        with _hinted(name):
            return _filtered(*args, **kwargs)

    def _filtered(*args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        budget.check_time()
        passed = (jinja2.runtime.Context, jinja2.nodes.EvalContext, jinja2.Environment)
        first = next((i for i, a in enumerate(args) if not isinstance(a, passed)), len(args))
        if name == "join" and first < len(args) and not isinstance(args[first], str | list | tuple):
            # a range or a generator: its length decides the size, so count it first (it is bounded)
            args = (*args[:first], list(args[first]), *args[first + 1 :])
        plain = args[first:]
        if plain:
            _check_arguments(f"фильтр «{name}»", plain[1:], kwargs, budget)
            _predict_text_op(name, plain[0], plain[1:], kwargs, budget)
        result = func(*args, **kwargs)
        budget.allow(weight(result, budget.limits.max_value_bytes), f"фильтр «{name}»")
        return result

    return guarded


@jinja2.pass_context
def _loop_items(context: jinja2.runtime.Context, iterable: Any) -> Iterator[Any]:
    """What every ``{% for %}`` iterates: the same items, each one a step of the budget."""
    budget = _budget()
    for item in iterable if iterable is not None else ():
        with _hinted("for"):
            budget.step()
        yield item


@jinja2.pass_context
def _checked_value(context: jinja2.runtime.Context, value: Any) -> Any:
    budget = _budget()
    with _hinted("~"):
        budget.allow(weight(value, budget.limits.max_value_bytes), "соединение строк (~)")
    return value


class _Instrument(NodeTransformer):
    """Route every loop's items and every ``~`` result through the budget (unforgeable: filter names
    a template cannot shadow, marked ``pass_context`` so the optimizer never folds them away)."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, "gmo_budget_loop", [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(node, "gmo_budget_value", [], [], None, None, lineno=node.lineno)


class BudgetedTemplate(jinja2.Template):
    def render(self, *args: Any, **kwargs: Any) -> str:
        """As ``Template.render``, counting the text as it streams out."""
        context = self.new_context(dict(*args, **kwargs))
        try:
            return self.environment.concat(self._counted(self.root_render_func(context)))  # type: ignore[attr-defined]
        except Exception:
            self.environment.handle_exception()

    def _counted(self, chunks: Iterator[str]) -> Iterator[str]:
        budget = _budget()
        for chunk in chunks:
            try:
                budget.output(chunk)
            except BudgetExceeded as error:
                error.lineno = self._template_line(chunks)
                raise
            yield chunk

    def _template_line(self, chunks: Iterator[str]) -> int | None:
        """The template line that produced the last piece: the innermost suspended generator's."""
        frame, generator = None, chunks
        while generator is not None and getattr(generator, "gi_frame", None) is not None:
            frame, generator = generator.gi_frame, getattr(generator, "gi_yieldfrom", None)  # type: ignore[union-attr]
        return self.get_corresponding_lineno(frame.f_lineno) if frame is not None else None


class BudgetedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox under the rendering budget (see the module's docstring)."""

    template_class = BudgetedTemplate
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters = {name: _guard_filter(name, f) for name, f in self.filters.items()}
        self.filters["gmo_budget_loop"] = _loop_items
        self.filters["gmo_budget_value"] = _checked_value
        self.globals["range"] = _counted_range
        self.globals.pop("lipsum", None)  # a text generator with size arguments; no protocol needs it

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        # Jinja offers no public hook between parsing and code generation; this is the one place.
        return _Instrument().visit(super()._parse(source, name, filename))  # type: ignore[no-any-return]

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        with _hinted(operator):
            return self._budgeted_binop(context, operator, left, right)

    def _budgeted_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        budget = _budget()
        budget.check_time()
        _predict_binop(operator, left, right, budget)
        result = super().call_binop(context, operator, left, right)
        if _sized(result):
            budget.allow(weight(result, budget.limits.max_value_bytes), f"операция «{operator}»")
        return result

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        budget.check_time()  # every call, macros included: a recursion without loops still ends
        name = getattr(__obj, "__name__", "")
        # str.format comes wrapped by the sandbox (``__wrapped__`` is the bound method)
        owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)
        if isinstance(owner, str) and name in _AMPLIFYING_METHODS:
            with _hinted(name):
                _check_arguments(f"метод «{name}»", args, kwargs, budget)
                _predict_text_op(name, owner, args, kwargs, budget)
        result = super().call(__context, __obj, *args, **kwargs)
        if _sized(result):
            budget.allow(weight(result, budget.limits.max_value_bytes), f"вызов «{name or __obj!r}»")
        return result


def _counted_range(*args: int) -> range:
    """``range`` whose items count against the loop budget the moment it is asked for."""
    items = range(*args)
    budget = _budget()
    if len(items) > budget.iterations:
        shown = ", ".join(_number(a) for a in args)
        left = (
            ""
            if budget.iterations == budget.limits.max_iterations
            else f"; осталось {_number(budget.iterations)}"
        )
        error = BudgetExceeded(
            f"range({shown}) — это {_number(len(items))} шагов, а всем циклам протокола вместе разрешено "
            f"{_number(budget.limits.max_iterations)} (rendering.max_loop_iterations){left}"
        )
        error.hint = "range"
        raise error
    return items
