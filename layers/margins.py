"""Chart margins sized from the labels in Python, so Plotly lays each chart out once.

Plotly's axis ``automargin`` measures every label after a first layout and then lays the chart
out again. Measured in headless Chromium on the overview page (1M-agreement demo), that pass
was about half of the postcode/year matrix's draw (0.33 s -> 0.17 s without it) and half of
each bar chart's, on first load and after every filter change. The labels are known here, so a
side's margin is sized from its longest label at the figure's font size instead.

A figure keeps its plan in ``layout.meta["margins"]`` so that presenter mode, which enlarges the
type without rebuilding the figure, can resize the margins with it (dashboard.present.fit).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from layers.style import MODEBAR_PX

#: Advance widths of the charts' font (Arial, or Liberation Sans, its metric twin on Linux) in
#: ems, from Helvetica's published metrics. An average per character (0.6 em) overstated
#: "2015/16 (part)" by a third, and stood upright that left a blank band over the matrix.
_EMS_OF = {
    0.191: "'",
    0.222: "ijl\u2019",
    0.26: "|",
    0.278: " !,./:;I[\\]ft",
    0.333: "()-`r",
    0.334: "{}",
    0.355: '"',
    0.389: "*",
    0.469: "^",
    0.5: "Jckvxyzs",
    0.556: "#$0123456789?_Labdeghnopqu\u00a3\u2013",
    0.584: "+<=>~\u00d7",
    0.611: "FTZ",
    0.667: "&ABEKPSVXY",
    0.722: "CDHNRUw",
    0.778: "GOQ",
    0.833: "Mm",
    0.889: "%",
    0.944: "W",
    1.0: "\u2014",
    1.015: "@",
}
CHAR_EMS: dict[str, float] = {char: ems for ems, chars in _EMS_OF.items() for char in chars}
#: A character not in the table (an accented or non-Latin letter): as wide as the widest
#: common capitals, so a label is never given less room than it takes.
OTHER_CHAR_EMS = 0.722
#: Height of a line of text (axis title, legend row) in ems, with its padding.
LINE_EM = 1.5
SIDES = ("l", "r", "t", "b")
META_KEY = "margins"


def text_ems(label: object) -> float:
    """Width of a label in ems (a multi-line label: its widest line)."""
    return max(
        sum(CHAR_EMS.get(char, OTHER_CHAR_EMS) for char in line)
        for line in str(label).split("<br>")
    )


def widest(labels: Iterable[object]) -> float:
    """Width of the widest label in ems (0 for none)."""
    return max((text_ems(label) for label in labels), default=0.0)


def fits_flat(labels: Iterable[object], font_size: int, width_px: int) -> bool:
    """Whether labels lie flat side by side in width_px, an em apart (else an axis stands
    them upright, with room for the widest)."""
    return sum(text_ems(label) + 1 for label in labels) * font_size <= width_px


#: Width a horizontal legend wraps within: a half-width card on a 1366 px screen, less margins.
LEGEND_WRAP_PX = 540
#: Swatch, gap and padding of a legend entry, in ems.
LEGEND_ENTRY_EM = 3.5


def legend_rows(name_ems: Iterable[float], font_size: int, width_px: int = LEGEND_WRAP_PX) -> int:
    """Rows of a horizontal legend whose entries' names are this wide (ems, text_ems), as
    Plotly lays it out: one row when every entry fits side by side, else a grid whose columns
    are as wide as the widest entry."""
    widths = [(ems + LEGEND_ENTRY_EM) * font_size for ems in name_ems]
    if not widths or sum(widths) <= width_px:
        return 1 if widths else 0
    columns = max(1, int(width_px // max(widths)))
    return -(-len(widths) // columns)


@dataclass(frozen=True)
class MarginPlan:
    """What each side (l, r, t, b) holds: fixed pixels, plus a label `ems` wide, plus `lines`
    lines of text (titles), both of which scale with the font size; at the foot, a horizontal
    legend whose entries' names are `legend` ems wide, whose rows depend on it; and at the top,
    with `clears_toolbar`, room for Plotly's tool bar where one is shown."""

    fixed: Mapping[str, int]
    ems: Mapping[str, float] = field(default_factory=dict)
    lines: Mapping[str, float] = field(default_factory=dict)
    legend: tuple[float, ...] = ()
    clears_toolbar: bool = False

    def at(
        self, font_size: int, toolbar: bool = True, legend_width_px: int = LEGEND_WRAP_PX
    ) -> dict[str, int]:
        """Pixel margins for the font size (``toolbar``: whether the chart shows one; the
        legend wraps within ``legend_width_px``)."""
        margins = {
            side: round(
                self.fixed.get(side, 0)
                + self.ems.get(side, 0) * font_size
                + self.lines.get(side, 0) * LINE_EM * font_size
            )
            for side in SIDES
        }
        rows = legend_rows(self.legend, font_size, legend_width_px)
        margins["b"] += round(rows * LINE_EM * font_size)
        if self.clears_toolbar and toolbar:
            margins["t"] += MODEBAR_PX
        return margins

    def to_meta(self) -> dict[str, Any]:
        return {
            "fixed": dict(self.fixed),
            "ems": dict(self.ems),
            "lines": dict(self.lines),
            "legend": list(self.legend),
            "clears_toolbar": self.clears_toolbar,
        }

    @classmethod
    def from_meta(cls, meta: Any) -> MarginPlan | None:
        """The plan a figure's layout.meta carries, or None (a figure without one)."""
        if not isinstance(meta, Mapping) or not isinstance(meta.get(META_KEY), Mapping):
            return None
        plan = meta[META_KEY]
        try:
            return cls(
                fixed={k: int(v) for k, v in dict(plan.get("fixed") or {}).items()},
                ems={k: float(v) for k, v in dict(plan.get("ems") or {}).items()},
                lines={k: float(v) for k, v in dict(plan.get("lines") or {}).items()},
                legend=tuple(float(n) for n in plan.get("legend") or ()),
                clears_toolbar=plan.get("clears_toolbar") is True,
            )
        except (TypeError, ValueError):
            return None


def fitted_layout(plan: MarginPlan, font_size: int) -> dict[str, Any]:
    """Layout keys for a builder: the margins at `font_size` and the plan kept in meta."""
    return {"margin": plan.at(font_size), "meta": {META_KEY: plan.to_meta()}}
