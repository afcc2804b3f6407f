"""Charts for reports, drawn with matplotlib (Agg, no display) into PNG pictures for templates.

A chart is drawn while the report's context is built, so its bytes are part of the
content hash that decides whether the report is rewritten. The PNG must therefore
depend only on the data: a fixed size and resolution, one font (DejaVu Sans, shipped
with matplotlib and covering Cyrillic, so no system font is ever picked up), and no
«Software» or time stamp in the PNG metadata. The same data gives the same bytes.

matplotlib is imported on first use: it costs a good part of a second, and only the
year report needs it.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Picture", "bar_chart"]

WIDTH_IN, HEIGHT_IN, DPI = 6.3, 3.2, 150  # 16 × 8 cm on the page, sharp when printed
FONT = "DejaVu Sans"
BAR = "#4472C4"
MIN_SLOTS = 6  # a year of one or two meetings: bars as wide as in a fuller year, centred, not page-wide


@dataclass(frozen=True)
class Picture:
    """A PNG for a template: ``{{ график }}`` in a paragraph of its own puts it there, ``width_mm`` wide."""

    png: bytes
    width_mm: float = 160.0
    description: str = ""  # what the picture shows, for messages and for the alt text

    def __str__(self) -> str:
        # What the content hash sees (json.dumps(default=str)): the picture's exact bytes, briefly.
        return f"picture:{hashlib.sha256(self.png).hexdigest()[:32]}:{self.width_mm}"


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    ylabel: str = "",
    colors: Sequence[str] | None = None,
    average: float | None = None,
    average_label: str = "",
    horizontal: bool = False,
) -> Picture:
    """A bar chart with each bar's value written on it; ``average`` adds a dashed line."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    bar_colors = list(colors) if colors else [BAR] * len(labels)
    if horizontal:
        positions = positions[::-1]  # the first category on top, as it is read
        bars = axes.barh(positions, values, color=bar_colors, height=0.6)
        axes.set_yticks(positions, labels, fontfamily=FONT, fontsize=9)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlim(0, max([*values, 1]) * 1.15)
    else:
        bars = axes.bar(positions, values, color=bar_colors, width=0.6)
        axes.set_xticks(positions, labels, fontfamily=FONT, fontsize=8, rotation=45 if len(labels) > 6 else 0)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(0, max([*values, 1]) * 1.2)
        spare = max(0.0, (MIN_SLOTS - len(labels)) / 2)
        axes.set_xlim(-0.5 - spare, len(labels) - 0.5 + spare)
        if ylabel:
            axes.set_ylabel(ylabel, fontfamily=FONT, fontsize=9)
    axes.bar_label(bars, labels=[_number(v) for v in values], padding=2, fontfamily=FONT, fontsize=9)
    if average is not None and not horizontal:
        axes.axhline(average, color="#C00000", linestyle="--", linewidth=1,
                     label=average_label or f"в среднем {_number(average)}")  # fmt: skip
        axes.legend(prop={"family": FONT, "size": 8}, loc="upper right", frameon=False)
    axes.set_title(title, fontfamily=FONT, fontsize=11)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for tick in axes.get_xticklabels() + axes.get_yticklabels():
        tick.set_fontfamily(FONT)
    figure.tight_layout()
    out = io.BytesIO()
    # metadata {"Software": None}: no version string, so a matplotlib upgrade alone changes nothing
    # the data did not; Agg writes no time stamp of its own.
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return Picture(out.getvalue(), description=title)


def _number(value: float) -> str:
    """«13», «12,5»: the way Russian documents write numbers."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}".replace(".", ",")
