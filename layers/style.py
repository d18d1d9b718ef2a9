"""Shared look of every chart: colour scales, the suppression grey, number formats.

Kept in one place so the map, matrix and charts say "[c]" the same way and use scales that
stay readable for people with the common colour-vision deficiencies.
"""

from __future__ import annotations

import html
import math
import textwrap

import plotly.graph_objects as go

from care_atlas.vocab import SUPPRESSED_MEANING

#: Sequential scale for the map: viridis is perceptually even and colour-blind safe.
MAP_SCALE = "Viridis"

#: Diverging blue -> pale yellow -> red (ColorBrewer RdYlBu reversed, colour-blind safe): keeps
#: the thesis's "cool is low, hot is high" reading without relying on red/green.
MATRIX_SCALE: list[list[float | str]] = [
    [0.0, "#313695"],
    [0.1, "#4575b4"],
    [0.2, "#74add1"],
    [0.3, "#abd9e9"],
    [0.4, "#e0f3f8"],
    [0.5, "#ffffbf"],
    [0.6, "#fee090"],
    [0.7, "#fdae61"],
    [0.8, "#f46d43"],
    [0.9, "#d73027"],
    [1.0, "#a50026"],
]

#: Fill of areas and cells whose value is withheld: mid-grey, outside both scales.
SUPPRESSED_FILL = "#8c8c8c"
#: Outline colour of areas; dark enough for 3:1 non-text contrast on white.
OUTLINE = "#4d4d4d"
#: Bars and lines of the charts (Okabe-Ito palette, colour-blind safe).
BAR_COLOUR = "#0072B2"
LINE_COLOURS = ("#D55E00", "#009E73", "#CC79A7", "#E69F00")
HIGHLIGHT_COLOUR = "#000000"

#: The one wording of a suppressed cell: every legend, tooltip and note that explains [c] uses
#: it, with how the chart shows it after a comma ("..., in grey").
SUPPRESSED_TEXT = f"[c] suppressed: {SUPPRESSED_MEANING}"
#: GSS shorthand and the words shown beside it (PRIVACY.md §6).
STATUS_TEXT: dict[str, str] = {
    "[c]": SUPPRESSED_TEXT,
    "[u]": "[u] low reliability",
    "[z]": "[z] not applicable",
    "[x]": "[x] not available",
}

#: Plain language of each value kind the query layer reports (Column.kind).
MEASURE_LABELS: dict[str, str] = {
    "people": "People",
    "agreements_active": "Active agreements",
    "agreements_started": "Agreements started",
    "cost": "Cost (£)",
    "rate_per_1000": "People per 1,000 residents",
    "internal_share": "Internal provision share",
}

#: Keyword that builds a Plotly object without checking each property as it is set. The checks
#: cost more than the (cached) query behind a chart, on every filter change; tests rebuild each
#: builder's figure with the checks on (tests/test_layers_figures.py), so a wrong property
#: still fails a test.
UNVALIDATED: dict[str, bool] = {"_validate": False}

#: Type size of every chart on screen, and in presenter mode (read from across a room on a
#: projector; dashboard.present.fit sets it).
FONT_SIZE = 14
PRESENT_FONT_SIZE = 20
#: Height of Plotly's tool bar (the modebar), drawn over a figure's top right corner: a top
#: margin that holds text (an axis title, period labels) is this much taller to keep clear of it.
MODEBAR_PX = 28
#: A small template: the default one is ~10 kB of JSON sent with every figure.
TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font={"family": "Arial, Helvetica, sans-serif", "size": FONT_SIZE, "color": "#1a1a1a"},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        hoverlabel={"font": {"size": FONT_SIZE}},
    )
)


def status_text(status: object) -> str:
    """The shorthand and its words for a status cell, or "" when the value is shown."""
    if not isinstance(status, str) or not status:
        return ""
    return STATUS_TEXT.get(status, status)


def is_missing(value: object) -> bool:
    """True for None / NaN / pandas NA: a value the query layer did not publish."""
    if value is None:
        return True
    try:
        return bool(math.isnan(float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def wrap_label(text: str, width: int = 28, lines: int = 2) -> str:
    """A long category label on at most `lines` lines of `width` characters (Plotly's <br>),
    the last ending in an ellipsis when the text is longer: labels beside bars must leave the
    bars room in a half-width card."""
    wrapped = textwrap.wrap(str(text), width=width, break_long_words=True) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return "<br>".join(wrapped)


def format_value(value: object, kind: str, status: object = "") -> str:
    """Text for one published value; the status shorthand when it is withheld.

    ``kind`` is the query layer's column kind (count, money, rate, share).
    """
    shorthand = status_text(status)
    if shorthand and (status != "[u]" or is_missing(value)):
        return shorthand
    if is_missing(value):
        return STATUS_TEXT["[x]"]
    number = float(value)  # type: ignore[arg-type]
    if kind == "money":
        text = format_money(number)
    elif kind == "share":
        text = f"{number * 100:.1f}%" if abs(number) <= 1 else f"{number:.1f}%"
    elif kind == "rate":
        text = f"{number:,.1f}"
    else:
        text = f"{number:,.0f}"
    return f"{text} {shorthand}" if shorthand else text


#: Published money is rounded to 3 significant figures at build time (docs/PRIVACY.md), so
#: money is shown to 3 and no more: "£25.5m", never "£25.50m" (a fourth figure never published).
MONEY_FIGURES = 3


def format_money(number: float) -> str:
    """The one money format of the app (tiles, labels, tables, ticks): 3 significant figures,
    £m from a million, £k from 10,000, else pounds with commas; never an SI prefix such as
    Plotly's "£800m" for £0.8 or "£55.3M" ("£25.5m", "£250k", "£2,100", "£0.8")."""
    if not math.isfinite(number):
        return "£" + str(number)
    rounded = _significant(abs(number), MONEY_FIGURES)
    sign = "-" if number < 0 and rounded else ""
    if rounded >= 1_000_000:
        scaled, unit = rounded / 1_000_000, "m"
    elif rounded >= 10_000:
        scaled, unit = rounded / 1_000, "k"
    else:
        scaled, unit = rounded, ""
    return f"{sign}£{_plain_number(scaled)}{unit}"


def _significant(value: float, figures: int) -> float:
    """``value`` (not negative) rounded to ``figures`` significant figures."""
    if value == 0:
        return 0.0
    return round(value, figures - 1 - math.floor(math.log10(value)))


def _plain_number(value: float) -> str:
    """A number with thousands commas and no trailing zeros (25.5, 1.2, 1,230, 0.8)."""
    if value == 0:
        return "0"
    decimals = max(0, MONEY_FIGURES - 1 - math.floor(math.log10(value)))
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def name_and_code(name: object, code: object) -> str:
    """How the app names a thing that has a code (an element, a service, an area): the plain
    name first, its code after in brackets, "Home Support, 65 Plus (OAHSUP)"; the code alone
    when it has no other name. People read names; the code tells two alike names apart."""
    text, key = str(name or "").strip(), str(code or "").strip()
    if not text or text == key:
        return key
    return f"{text} ({key})" if key else text


def plain_text(text: str) -> str:
    """Text for a Plotly label, title or annotation with its markup characters escaped."""
    return html.escape(str(text), quote=False)


#: What a figure with nothing to draw says (and its axes are hidden: no "-0.4 to 0.4").
NO_DATA = "No data for this selection"


def no_data_figure(detail: str = "") -> go.Figure:
    """The one "nothing to show" state of every chart: a plain sentence, no axes, no legend.

    ``detail`` (optional) says what to change, e.g. "Choose two elements to compare"."""
    return empty_figure(f"{NO_DATA}. {detail}".strip() if detail else NO_DATA)


def has_values(values: object) -> bool:
    """True when at least one value is published (not None / NaN): else draw no_data_figure."""
    try:
        items = list(values)  # type: ignore[call-overload]
    except TypeError:
        return False
    return any(not is_missing(v) for v in items)


def nice_step(top: float, ticks: int = 5) -> float:
    """A round tick step (1, 2, 2.5 or 5 x 10^n) giving about ``ticks`` ticks from 0 to top."""
    if not math.isfinite(top) or top <= 0:
        return 1.0
    raw = top / max(ticks - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * power:
            return multiple * power
    return 10 * power


def money_axis(values: object, ticks: int = 5) -> dict:
    """Axis keys for a money axis from 0: round ticks written by format_money, fixed range.

    Ticks are given as values and texts, so Plotly's d3 formats (and their SI prefixes) are
    never used for money."""
    numbers = [float(v) for v in list(values) if not is_missing(v)]  # type: ignore[call-overload]
    top = max([0.0, *numbers])
    step = nice_step(top, ticks)
    count = max(1, math.ceil(top / step - 1e-9))
    tickvals = [round(step * i, 6) for i in range(count + 1)]
    return {
        "tickmode": "array",
        "tickvals": tickvals,
        "ticktext": [format_money(v) for v in tickvals],
        "range": [0, tickvals[-1] * 1.05],
    }


#: Count axes: thousands separators, no SI prefix ("500m" people for 0.5).
COUNT_TICKFORMAT = ",~f"


def empty_figure(message: str) -> go.Figure:
    """A blank figure that says why it is blank (no data, bad filter) instead of an empty axis.

    The message may quote a value from the URL: it is escaped, so Plotly shows it as text and
    never reads it as markup (Plotly's text understands a few tags, links among them)."""
    layout = dict(
        template=TEMPLATE,
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[
            {
                "text": "<br>".join(textwrap.wrap(plain_text(message), 60)) or " ",
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "font": {"size": 16},
            }
        ],
    )
    fig = go.Figure(layout=layout)
    return fig


#: A part period's mark on a period axis (the data does not cover it whole: its counts and
#: costs are not comparable with whole periods; queries/viewkit.py says so too).
PART_MARK = "(part)"
