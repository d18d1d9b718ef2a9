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

#: Average advance of a character of the charts' font (Arial / Helvetica) in ems: lower case is
#: about 0.5, digits 0.56, capitals 0.67; 0.6 covers the mixed codes, names and descriptions.
EM_PER_CHAR = 0.6
#: Height of a line of text (axis title, legend row) in ems, with its padding.
LINE_EM = 1.5
SIDES = ("l", "r", "t", "b")
META_KEY = "margins"


def longest(labels: Iterable[object]) -> int:
    """Characters in the longest label (a multi-line label counts its longest line)."""
    return max((len(line) for label in labels for line in str(label).split("<br>")), default=0)


def fits_flat(labels: Iterable[object], font_size: int, width_px: int) -> bool:
    """Whether labels lie flat side by side in width_px, a space apart (else an axis stands
    them upright, with room for the longest)."""
    return sum(len(str(label)) + 1 for label in labels) * EM_PER_CHAR * font_size <= width_px


#: Width a horizontal legend wraps within: a half-width card on a 1366 px screen, less margins.
LEGEND_WRAP_PX = 540
#: Swatch, gap and padding of a legend entry, in ems.
LEGEND_ENTRY_EM = 3.5


def legend_rows(name_lengths: Iterable[int], font_size: int, width_px: int = LEGEND_WRAP_PX) -> int:
    """Rows of a horizontal legend whose entries have these lengths (characters), as Plotly
    lays it out: one row when every entry fits side by side, else a grid whose columns are as
    wide as the widest entry."""
    widths = [(n * EM_PER_CHAR + LEGEND_ENTRY_EM) * font_size for n in name_lengths]
    if not widths or sum(widths) <= width_px:
        return 1 if widths else 0
    columns = max(1, int(width_px // max(widths)))
    return -(-len(widths) // columns)


@dataclass(frozen=True)
class MarginPlan:
    """What each side (l, r, t, b) holds: fixed pixels, plus a label of `chars` characters,
    plus `lines` lines of text (titles), both of which scale with the font size; and at the
    foot, a horizontal legend of entries `legend` characters long, whose rows depend on it."""

    fixed: Mapping[str, int]
    chars: Mapping[str, int] = field(default_factory=dict)
    lines: Mapping[str, float] = field(default_factory=dict)
    legend: tuple[int, ...] = ()

    def at(self, font_size: int) -> dict[str, int]:
        """Pixel margins for the font size."""
        margins = {
            side: round(
                self.fixed.get(side, 0)
                + self.chars.get(side, 0) * EM_PER_CHAR * font_size
                + self.lines.get(side, 0) * LINE_EM * font_size
            )
            for side in SIDES
        }
        margins["b"] += round(legend_rows(self.legend, font_size) * LINE_EM * font_size)
        return margins

    def to_meta(self) -> dict[str, Any]:
        return {
            "fixed": dict(self.fixed),
            "chars": dict(self.chars),
            "lines": dict(self.lines),
            "legend": list(self.legend),
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
                chars={k: int(v) for k, v in dict(plan.get("chars") or {}).items()},
                lines={k: float(v) for k, v in dict(plan.get("lines") or {}).items()},
                legend=tuple(int(n) for n in plan.get("legend") or ()),
            )
        except (TypeError, ValueError):
            return None


def fitted_layout(plan: MarginPlan, font_size: int) -> dict[str, Any]:
    """Layout keys for a builder: the margins at `font_size` and the plan kept in meta."""
    return {"margin": plan.at(font_size), "meta": {META_KEY: plan.to_meta()}}
