"""Charts drawn on the server as SVG strings, for the screen, the PDF (WeasyPrint draws inline
SVG) and paper: no JavaScript, nothing fetched, Spanish text, and never colour alone (every
series or category has its own pattern besides its colour, and every figure is printed).

Pure Python on plain data, no Django import: the caller builds the inputs and inserts the
string as HTML (every text is XML-escaped; mark it safe in the template). Each chart has a
companion that returns the same numbers as a ChartTable, for "los datos en tabla".

    progress_chart([("511 GESTIÓN ADMINISTRATIVA", [50, 100, None, None])])
    progress_table([...]) -> ChartTable
    semaforo_chart({"verde": 12, "amarillo": 3, "rojo": 2})
    semaforo_table({...}) -> ChartTable

Same input, same bytes: element ids derive from the input, numbers are printed with fixed
precision."""

import hashlib
import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape, quoteattr

from poa.rules import figures

WIDTH = 720
FONT = "'Liberation Sans', 'DejaVu Sans', Arial, Helvetica, sans-serif"
TEXT = "#1a1a1a"
GRID = "#bdbdbd"
NO_DATA = "—"
# Average advance of a character, as a share of the font size, for truncating labels.
CHARACTER_WIDTH = 0.6

# Okabe–Ito colours (distinguishable with colour blindness), each paired with a pattern that
# survives greyscale printing.
SERIES_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
SERIES_PATTERNS = ("solid", "diagonal", "dots", "backdiagonal", "horizontal", "cross", "vertical")

SEMAFORO = (
    # key, label, colour, pattern
    ("verde", "Verde", "#2E7D32", "solid"),
    ("amarillo", "Amarillo", "#F9A825", "dots"),
    ("rojo", "Rojo", "#C62828", "diagonal"),
    ("sobrecumplimiento", "Sobrecumplimiento", "#1565C0", "cross"),
    ("sin_programar", "Sin programar", "#9E9E9E", "horizontal"),
)
SEMAFORO_KEYS = tuple(key for key, *_ in SEMAFORO)


@dataclass(frozen=True)
class ChartTable:
    """The numbers of a chart as text, ready for a <table>: one caption, the column headings
    and the rows (the first cell of each row names it)."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


# Shared drawing helpers -----------------------------------------------------------------


def _n(value: float) -> str:
    """A coordinate with one decimal, without a trailing .0: stable across runs."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(x, y, content, *, size=12, anchor="start", weight="normal", extra=""):
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{TEXT}"{extra}>{escape(content)}</text>'
    )


def _percent(value) -> str:
    """51%, 107%, 12.5%; — when there is no figure."""
    if value is None:
        return NO_DATA
    value = Decimal(str(value))
    if value == value.to_integral_value():
        return figures.format_percent(int(value))
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}%"


def _id_prefix(*parts) -> str:
    """Ids unique to the chart's input, so two charts inlined in one page do not collide."""
    return "g" + hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()[:10]


def _fit(text: str, width: float, size: float, lines: int = 2) -> list[str]:
    """`text` wrapped into at most `lines` lines of `width` pixels, the last one cut with …"""
    per_line = max(4, int(width / (size * CHARACTER_WIDTH)))
    wrapped = textwrap.wrap(" ".join(str(text).split()), per_line) or [""]
    if len(wrapped) <= lines:
        return wrapped
    last = " ".join(wrapped[lines - 1 :])
    return [*wrapped[: lines - 1], last[: per_line - 1].rstrip() + "…"]


def _pattern(pattern_id, kind, color):
    """A 6 px tile of `color` with light strokes or dots, so fills differ without colour."""
    stroke = 'stroke="#fff" stroke-width="1.6"'
    marks = {
        "solid": "",
        "diagonal": f'<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" {stroke}/>',
        "backdiagonal": f'<path d="M-1,5 l2,2 M0,0 l6,6 M5,-1 l2,2" {stroke}/>',
        "dots": '<circle cx="3" cy="3" r="1.4" fill="#fff"/>',
        "horizontal": f'<path d="M0,3 h6" {stroke}/>',
        "vertical": f'<path d="M3,0 v6" {stroke}/>',
        "cross": '<path d="M0,3 h6 M3,0 v6" stroke="#fff" stroke-width="1.2"/>',
    }[kind]
    return (
        f'<pattern id="{pattern_id}" patternUnits="userSpaceOnUse" width="6" height="6">'
        f'<rect width="6" height="6" fill="{color}"/>{marks}</pattern>'
    )


def _svg(width, height, title, description, body, id_prefix):
    """The chart's root: its size, role and the Spanish title and description a screen reader
    announces."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" height="{_n(height)}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" role="img" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc" font-family={quoteattr(FONT)}>'
        f'<title id="{id_prefix}-title">{escape(title)}</title>'
        f'<desc id="{id_prefix}-desc">{escape(description)}</desc>'
        f'<rect width="{_n(width)}" height="{_n(height)}" fill="#fff"/>'
        f"{body}</svg>"
    )


def empty_chart(title: str, message: str) -> str:
    """A small SVG that says there is nothing to draw yet, with the reason in `message`."""
    id_prefix = _id_prefix("empty", title, message)
    body = (
        _text(16, 26, title, size=15, weight="bold")
        + f'<rect x="16" y="44" width="{WIDTH - 32}" height="56" fill="#f5f5f5" '
        f'stroke="{GRID}" stroke-dasharray="4 3"/>'
        + _text(WIDTH / 2, 77, message, size=13, anchor="middle")
    )
    return _svg(WIDTH, 116, title, message, body, id_prefix)


# Progress per programa (or ramo) across the quarters -----------------------------------

PROGRESS_TITLE = "Avance por programa en cada trimestre"
PROGRESS_EMPTY = "Aún no hay avances capturados que graficar."
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_HEIGHT = 56, 16, 44, 260
LEGEND_LINE = 16
REFERENCE_LABEL = "100 %: lo programado"


def _normalize_series(series):
    """[(label, (v1..v4))] with every value a float or None; a short list is padded."""
    quarters = len(figures.QUARTERS)
    normalized = []
    for label, values in series:
        values = list(values)[:quarters]
        values += [None] * (quarters - len(values))
        normalized.append(
            (str(label), tuple(None if v is None else float(Decimal(str(v))) for v in values))
        )
    return normalized


def _scale_top(values) -> tuple[int, int]:
    """The top of the percent axis (at least 150 %, else the data rounded up to 50) and the
    step between its gridlines."""
    top = max([150.0, *values])
    top = int(math.ceil(top / 50) * 50)
    step = 50 * max(1, math.ceil(top / 300))
    return int(math.ceil(top / step) * step), step


def progress_chart(
    series: Sequence[tuple[str, Sequence[float | int | Decimal | None]]],
    *,
    title: str = PROGRESS_TITLE,
    quarter_labels: Sequence[str] = tuple(figures.QUARTER_LABELS.values()),
) -> str:
    """Grouped bars of percent of progress: one group per quarter (Ene-Mar … Oct-Dic), one bar
    per series (a programa or ramo) with its own colour and pattern, each bar labelled with
    its value, gridlines every 50 % from 0, a dashed reference line at 100 % and a legend.

    `series` is a list of (label, [percent or None for Q1..Q4]); None draws no bar (not
    captured, or a quarter still to come). Returns the SVG as a string; with no series or no
    figure at all, an SVG that says there is nothing to draw yet."""
    data = _normalize_series(series)
    values = [v for _, vs in data for v in vs if v is not None]
    if not values:
        return empty_chart(title, PROGRESS_EMPTY)
    id_prefix = _id_prefix("progress", title, tuple(quarter_labels), data)
    top, step = _scale_top(values)
    legend, legend_height = _progress_legend(data, id_prefix, PLOT_TOP + PLOT_HEIGHT + 34)
    height = PLOT_TOP + PLOT_HEIGHT + 34 + legend_height + 8
    body = "".join(
        [
            "<defs>" + _series_patterns(data, id_prefix) + "</defs>",
            _text(16, 24, title, size=15, weight="bold"),
            _progress_axes(top, step, quarter_labels),
            _progress_bars(data, id_prefix, top),
            _reference_line(top),
            legend,
        ]
    )
    return _svg(WIDTH, height, title, _progress_description(data, quarter_labels), body, id_prefix)


def _y(value, top):
    return PLOT_TOP + PLOT_HEIGHT - min(max(value, 0), top) / top * PLOT_HEIGHT


def _series_patterns(data, id_prefix):
    return "".join(_pattern(f"{id_prefix}-s{i}", *_series_style(i)) for i in range(len(data)))


def _series_style(index):
    """(pattern, colour) of the index-th series; after seven, patterns pair with new colours."""
    pattern = SERIES_PATTERNS[index % len(SERIES_PATTERNS)]
    color = SERIES_COLORS[(index + index // len(SERIES_PATTERNS)) % len(SERIES_COLORS)]
    return pattern, color


def _progress_axes(top, step, quarter_labels):
    plot_right = WIDTH - PLOT_RIGHT
    parts = []
    for value in range(0, top + 1, step):
        y = _y(value, top)
        color = TEXT if value == 0 else GRID
        parts.append(
            f'<line x1="{PLOT_LEFT}" y1="{_n(y)}" x2="{plot_right}" y2="{_n(y)}" '
            f'stroke="{color}" stroke-width="1"/>'
        )
        parts.append(_text(PLOT_LEFT - 6, y + 4, f"{value}%", size=11, anchor="end"))
    group_width = (plot_right - PLOT_LEFT) / len(quarter_labels)
    for index, label in enumerate(quarter_labels):
        x = PLOT_LEFT + group_width * (index + 0.5)
        parts.append(_text(x, PLOT_TOP + PLOT_HEIGHT + 18, label, size=12, anchor="middle"))
    return "".join(parts)


def _reference_line(top):
    y = _y(100, top)
    return _dashed_line(PLOT_LEFT, WIDTH - PLOT_RIGHT, y)


def _dashed_line(x1, x2, y):
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y)}" x2="{_n(x2)}" y2="{_n(y)}" '
        f'stroke="{TEXT}" stroke-width="1.5" stroke-dasharray="6 4"/>'
    )


def _progress_bars(data, id_prefix, top):
    plot_width = WIDTH - PLOT_RIGHT - PLOT_LEFT
    group_width = plot_width / len(figures.QUARTERS)
    bar_width = group_width * 0.8 / len(data)
    parts = []
    for quarter in range(len(figures.QUARTERS)):
        group_left = PLOT_LEFT + group_width * quarter + group_width * 0.1
        for index, (_, values) in enumerate(data):
            value = values[quarter]
            if value is not None:
                x = group_left + bar_width * index
                parts.append(_bar(x, bar_width, value, top, f"url(#{id_prefix}-s{index})"))
    return "".join(parts)


def _bar(x, width, value, top, fill):
    y = _y(value, top)
    base = PLOT_TOP + PLOT_HEIGHT
    rect = (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width - 1)}" height="{_n(base - y)}" '
        f'fill="{fill}" stroke="{TEXT}" stroke-width="0.8"/>'
    )
    label, center = _percent(value), x + (width - 1) / 2
    if width >= len(label) * 10 * CHARACTER_WIDTH + 2:
        return rect + _text(center, y - 4, label, size=10, anchor="middle")
    # A narrow bar carries its label upright above it.
    rotate = f' transform="rotate(-90 {_n(center + 3.5)} {_n(y - 4)})"'
    return rect + _text(center + 3.5, y - 4, label, size=10, extra=rotate)


def _progress_legend(data, id_prefix, top):
    """One entry a line (a long label wraps to a second line and is cut with …), and last
    the reference line, explained here so its label never covers a bar."""
    parts, y = [], top
    for index, (label, _) in enumerate(data):
        lines = _fit(label, WIDTH - 60, 12)
        parts.append(
            f'<rect x="16" y="{_n(y)}" width="24" height="12" fill="url(#{id_prefix}-s{index})" '
            f'stroke="{TEXT}" stroke-width="0.8"/>'
        )
        for offset, line in enumerate(lines):
            parts.append(_text(48, y + 10 + offset * LEGEND_LINE, line, size=12))
        y += LEGEND_LINE * len(lines) + 4
    parts.append(_dashed_line(16, 40, y + 6) + _text(48, y + 10, REFERENCE_LABEL, size=12))
    y += LEGEND_LINE + 4
    return "".join(parts), y - top


def _progress_description(data, quarter_labels):
    rows = [
        f"{label}: "
        + ", ".join(f"{q} {_percent(v)}" for q, v in zip(quarter_labels, values, strict=False))
        for label, values in data
    ]
    return (
        f"Barras agrupadas por trimestre con el porcentaje de avance de {len(data)} series; "
        "la línea punteada marca el 100 % de lo programado. " + "; ".join(rows) + "."
    )


def progress_table(
    series: Sequence[tuple[str, Sequence[float | int | Decimal | None]]],
    *,
    title: str = PROGRESS_TITLE,
    label_heading: str = "Programa",
    quarter_labels: Sequence[str] = tuple(figures.QUARTER_LABELS.values()),
) -> ChartTable:
    """The numbers of progress_chart as a table: one row per series, one column per quarter,
    percentages printed as in the chart ("51%", "—" where there is none)."""
    rows = tuple(
        (label, *(_percent(v) for v in values)) for label, values in _normalize_series(series)
    )
    return ChartTable(title, (label_heading, *quarter_labels), rows)


# Distribution of metas by semáforo ------------------------------------------------------

SEMAFORO_TITLE = "Metas por semáforo"
SEMAFORO_EMPTY = "No hay metas que clasificar por semáforo."
LABEL_WIDTH, ROW_HEIGHT, BAR_HEIGHT, ROWS_TOP = 150, 34, 20, 44


def _semaforo_counts(counts: Mapping[str, int]):
    unknown = set(counts) - set(SEMAFORO_KEYS)
    if unknown:
        raise ValueError(f"categorías desconocidas: {sorted(unknown)}; use {SEMAFORO_KEYS}")
    return [int(counts.get(key, 0)) for key in SEMAFORO_KEYS]


def _count_text(count, total):
    metas = "meta" if count == 1 else "metas"
    return f"{count:,} {metas} ({figures.format_percent(figures.percent(count, total))})"


def semaforo_chart(counts: Mapping[str, int], *, title: str = SEMAFORO_TITLE) -> str:
    """Horizontal bars of how many metas fall in each semáforo category, in the fixed order
    verde, amarillo, rojo, sobrecumplimiento, sin programar: each row names its category, its
    bar has its own colour and pattern, and the count and share are printed after it
    ("12 metas (60%)"; shares rounded half up, so they may not add up to exactly 100).

    `counts` maps those keys (verde, amarillo, rojo, sobrecumplimiento, sin_programar) to
    counts; a missing key counts 0, an unknown key is a ValueError. Returns the SVG as a
    string; with no meta at all, an SVG that says so."""
    values = _semaforo_counts(counts)
    total = sum(values)
    if not total:
        return empty_chart(title, SEMAFORO_EMPTY)
    id_prefix = _id_prefix("semaforo", title, tuple(values))
    patterns = "".join(
        _pattern(f"{id_prefix}-{key}", pattern, color) for key, _, color, pattern in SEMAFORO
    )
    rows = "".join(
        _semaforo_row(index, category, count, total, max(values), id_prefix)
        for index, (category, count) in enumerate(zip(SEMAFORO, values, strict=True))
    )
    height = ROWS_TOP + ROW_HEIGHT * len(SEMAFORO) + 26
    body = (
        f"<defs>{patterns}</defs>"
        + _text(16, 24, title, size=15, weight="bold")
        + rows
        + _text(16, height - 10, f"Total: {total:,} {'meta' if total == 1 else 'metas'}", size=12)
    )
    return _svg(WIDTH, height, title, _semaforo_description(values, total), body, id_prefix)


def _semaforo_row(index, category, count, total, largest, id_prefix):
    key, label, _, _ = category
    y = ROWS_TOP + ROW_HEIGHT * index
    bar_left, bar_room = 16 + LABEL_WIDTH, WIDTH - 16 - LABEL_WIDTH - 16 - 130
    length = count / largest * bar_room if largest else 0
    bar = (
        f'<rect x="{bar_left}" y="{_n(y)}" width="{_n(max(length, 0))}" height="{BAR_HEIGHT}" '
        f'fill="url(#{id_prefix}-{key})" stroke="{TEXT}" stroke-width="0.8"/>'
        if count
        else ""
    )
    return (
        _text(16 + LABEL_WIDTH - 10, y + 15, label, size=12, anchor="end", weight="bold")
        + f'<line x1="{bar_left}" y1="{_n(y - 6)}" x2="{bar_left}" y2="{_n(y + BAR_HEIGHT + 6)}" '
        f'stroke="{TEXT}" stroke-width="1"/>'
        + bar
        + _text(bar_left + length + 8, y + 15, _count_text(count, total), size=12)
    )


def _semaforo_description(values, total):
    parts = [
        f"{label}: {_count_text(count, total)}"
        for (_, label, _, _), count in zip(SEMAFORO, values, strict=True)
    ]
    return f"Barras horizontales con las {total:,} metas por semáforo. " + "; ".join(parts) + "."


def semaforo_table(counts: Mapping[str, int], *, title: str = SEMAFORO_TITLE) -> ChartTable:
    """The numbers of semaforo_chart as a table: one row per category in the chart's order
    (count and share), and a closing Total row."""
    values = _semaforo_counts(counts)
    total = sum(values)
    rows = tuple(
        (label, f"{count:,}", figures.format_percent(figures.percent(count, total)) or NO_DATA)
        for (_, label, _, _), count in zip(SEMAFORO, values, strict=True)
    )
    total_row = ("Total", f"{total:,}", "100%" if total else NO_DATA)
    return ChartTable(title, ("Semáforo", "Metas", "Porcentaje"), (*rows, total_row))
