"""The report's charts as inline SVG, drawn with matplotlib.

Text is drawn as paths (``svg.fonttype: path``): the SVG needs no font where it is shown, and a
Chinese or Korean label looks the same in the HTML and the PDF. The font family puts the face
of the report's language first (Noto Sans CJK TC/SC/KR), with Noto Sans and DejaVu Sans behind
it for Latin text and digits. The SVG carries no date, so the same data draws the same bytes.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from markupsafe import Markup

from checkengine.pdf.fonts import face_for

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

WIDTH, HEIGHT = 7.0, 2.6  # inches: the width of an A4 page between the margins
PASS, FAIL, LIMIT, NEUTRAL = "#2e7d32", "#c62828", "#555555", "#1565c0"
SERIES = ("#1565c0", "#6a1b9a", "#ef6c00", "#00838f", "#8d6e63", "#9e9d24")


def families(lang: str) -> list[str]:
    return [face_for(lang), "Noto Sans", "Noto Sans CJK TC", "DejaVu Sans"]


def _settings(lang: str) -> dict[RcKeyType, Any]:
    return {"svg.fonttype": "path", "svg.hashsalt": "checkengine", "font.family": families(lang),
            "font.size": 8, "axes.spines.top": False, "axes.spines.right": False}


def _figure(height: float = HEIGHT) -> Any:
    from matplotlib.figure import Figure  # no pyplot: no GUI backend, no global figure state

    return Figure(figsize=(WIDTH, height), layout="constrained")


def _svg(fig: Any, name: str) -> Markup:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    # Keep the <svg> element only: the XML prolog and DOCTYPE are not allowed inside HTML, and the
    # RDF metadata names vocabularies by URL, which a reader could mistake for references.
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text[text.index("<svg"):], flags=re.DOTALL)
    # Every chart numbers its elements and glyphs from 1: prefix the ids with the chart's name,
    # so that three charts in one page never define the same id twice.
    text = re.sub(r'\bid="([^"]+)"', rf'id="{name}-\1"', text)
    text = re.sub(r'(href="#|url\(#)', rf"\1{name}-", text)
    # style="fill: #fff; stroke: #000" as presentation attributes (fill="#fff" stroke="#000"):
    # inside HTML, style attributes go through the page's CSS too, where fill and stroke are
    # unknown properties (WeasyPrint warns about each); the SVG renderer reads both the same.
    text = re.sub(r'style="([^"]*)"', _attributes, text)
    return Markup(text.rstrip())


def _attributes(match: re.Match[str]) -> str:
    pairs = (part.split(":", 1) for part in match.group(1).split(";") if ":" in part)
    return " ".join(f'{key.strip()}="{value.strip()}"' for key, value in pairs)


def _style(lang: str) -> Any:
    import matplotlib

    return matplotlib.rc_context(_settings(lang))


def rate_scale(values: Sequence[float | None], target: float | None = None) -> tuple[float, float]:
    """The y range of a pass-rate chart: the data's (and the target's) range with a margin, at
    least 10 points high, within 0-100 - so that 91 % to 95 % is a visible climb, not a flat line
    along the top of a 0-100 axis."""
    seen = [v for v in values if v is not None] + ([target] if target is not None else [])
    if not seen:
        return 0.0, 100.0
    low, high = min(seen), max(seen)
    pad = max(2.0, (high - low) * 0.15)
    low, high = low - pad, high + pad
    if high - low < 10.0:
        middle = (low + high) / 2
        low, high = middle - 5.0, middle + 5.0
    if low < 0.0:
        low, high = 0.0, min(100.0, high - low)
    if high > 100.0:
        low, high = max(0.0, low - (high - 100.0)), 100.0
    return low, high + 1.0  # room for the marker of a 100 % point


def trend_chart(labels: Sequence[str], series: Mapping[str, Sequence[float | None]], *, ylabel: str,
                lang: str, target: float | None = None, target_label: str = "") -> Markup:
    """Pass rate per period: one line per series (the first is drawn thick: overall). A period
    without data is a gap: no line is drawn across it (NaN breaks a matplotlib line), and a lone
    period between gaps is a marker."""
    with _style(lang):
        fig = _figure()
        ax = fig.add_subplot()
        x = list(range(len(labels)))
        drawn = 0
        every: list[float | None] = []
        for i, (name, values) in enumerate(series.items()):
            if all(v is None for v in values):
                continue
            drawn += 1
            every.extend(values)
            ax.plot(x, [float("nan") if v is None else v for v in values], marker="o", markersize=3,
                    linewidth=2.4 if i == 0 else 1.2, color=SERIES[i % len(SERIES)], label=name)
        if target is not None:
            ax.axhline(target, color=LIMIT, linestyle="--", linewidth=1, label=f"{target_label} {target:g}")
        ax.set_xticks(x, labels)
        ax.set_xlim(-0.5, len(labels) - 0.5)
        ax.set_ylim(*rate_scale(every, target))
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", linewidth=0.3)
        if drawn:
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
        return _svg(fig, "trend")


def loss_chart(days: Sequence[str], rates: Sequence[float | None], limit: float | None, *, ylabel: str,
               limit_label: str, lang: str) -> Markup:
    """Call loss per day as bars (red above the limit), with the limit as a dashed line."""
    with _style(lang):
        fig = _figure()
        ax = fig.add_subplot()
        x = list(range(len(days)))
        values = [r if r is not None else 0.0 for r in rates]
        colours = [FAIL if limit is not None and r is not None and r > limit else NEUTRAL for r in rates]
        ax.bar(x, values, color=colours, width=0.7)
        if limit is not None:
            ax.axhline(limit, color=LIMIT, linestyle="--", linewidth=1, label=f"{limit_label} {limit:g}")
            ax.legend(loc="upper right", fontsize=7, frameon=False)
        top = max([*values, limit or 0.0])
        ax.set_ylim(0, top * 1.3 if top else 1.0)  # room above the limit for its legend
        step = max(1, len(days) // 16)
        ax.set_xticks(x[::step], list(days)[::step], rotation=45, ha="right")
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", linewidth=0.3)
        return _svg(fig, "loss")


def coverage_chart(agents: Sequence[str], monitored: Sequence[int], required: Sequence[float | None], *,
                   xlabel: str, lang: str) -> Markup:
    """Monitored calls per agent (red below the requirement), with each requirement marked."""
    height = max(1.6, 0.22 * len(agents) + 0.8)
    with _style(lang):
        fig = _figure(height)
        ax = fig.add_subplot()
        y = list(range(len(agents)))
        colours = [FAIL if need is not None and got < need else PASS for got, need in zip(monitored, required)]
        ax.barh(y, monitored, color=colours, height=0.6)
        marks = [(yi, need) for yi, need in zip(y, required) if need is not None]
        if marks:
            ax.scatter([m[1] for m in marks], [m[0] for m in marks], marker="|", s=120, color=LIMIT, zorder=3)
        ax.set_yticks(y, agents)
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        ax.grid(axis="x", linewidth=0.3)
        return _svg(fig, "coverage")
