"""The budget officers' views: an MIA theme's Table 14 budget figures and MIA17 enablement
beyond 6 weeks per financial year, by client group and by area.

They are views (not tables a page puts together) so the budget page's cards and the API serve
the same rows. The enablement views read one grid of published cells each (every period of the
range, every enablement element or area) and derive the share from published values only; the
targets are reference data (budget figures), labelled so in their column kinds.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd

from queries.catalogue import ALL, what_kind, what_member
from queries.cells import area_names, grid, lookup_for, place, shown_areas, single_periods
from queries.database import Database, plain_frame
from queries.filters import FilterError, Filters, check, what_params
from queries.result import Column, ProtectedResult
from queries.viewkit import (
    ACTIVITY_NOTE,
    ENABLEMENT_COLUMNS,
    ENABLEMENT_DENOMINATOR,
    enablement_values,
    meta,
)

ENABLEMENT_THEME = "MIA17"
#: The group of the row for all enablement (the MIA17 theme's own cell, not a sum of groups).
ALL_ENABLEMENT_LABEL = "All enablement"
#: Client-group prefixes of element codes (DOMAIN.md §2), longest first so HSSU wins over H.
ELEMENT_GROUP_LABELS: dict[str, str] = {
    "HSSU": "Home support (HSSU)",
    "DIR": "Direct payment (DIR)",
    "CH": "Children (CH)",
    "LD": "Learning disability (LD)",
    "MH": "Mental health (MH)",
    "OA": "Older adults (OA)",
    "PD": "Physical disability (PD)",
    "SM": "Substance misuse (SM)",
}
NOT_RECONCILED_NOTE = (
    "Table 14's net spend and savings targets are budget figures from the council's 2016 "
    "budget, not sums of agreement costs: they are shown beside the agreement costs for "
    "reference and do not reconcile with them."
)
ENABLEMENT_NOTES: tuple[str, ...] = (
    "Each financial year's cells are published cells of their own.",
    "These tables are MIA17 enablement whatever theme is chosen elsewhere; each client group "
    "is its enablement element.",
    "Totals and 'all' rows are perturbed on their own: they need not equal the sum of the "
    "published parts.",
)


def element_group(code: str) -> str:
    """The client-group prefix of an element code ("LDIHSENB" -> "LD"); "" when none fits."""
    for prefix in sorted(ELEMENT_GROUP_LABELS, key=len, reverse=True):
        if code.startswith(prefix):
            return prefix
    return ""


def group_label(group: str) -> str:
    return ELEMENT_GROUP_LABELS.get(group, group)


def target_records(db: Database, theme: str | None) -> list[dict[str, Any]]:
    """Table 14 rows as the serving file holds them (£ million), one theme or every theme."""
    return [asdict(target) for target in db.reference.targets(theme)]


def _mia17_member(f: Filters) -> str:
    """The all-enablement member: theme MIA17, or its part of the chosen provision type. Any
    other what is refused naming its parameter (these views show MIA17 whatever is chosen)."""
    kind = what_kind(f.what)
    if kind == ALL:
        return what_member("theme", ENABLEMENT_THEME)
    if kind in ("theme", "theme_provision") and f.what.split(":")[1] == ENABLEMENT_THEME:
        return f.what
    raise FilterError(
        next(iter(what_params(f.what))),
        "MIA17 enablement is read for theme MIA17, with or without a provision type",
        [ENABLEMENT_THEME],
    )


def enablement_groups_of(db: Database) -> dict[str, str]:
    """Group -> its MIA17 enablement element (LD -> LDIHSENB): one element per group, keyed by
    the element code where two share a prefix (the catalogue publishes one element at a time)."""
    groups: dict[str, str] = {}
    for code, element in sorted(db.reference.elements.items()):
        if element.mia_theme == ENABLEMENT_THEME:
            group = element_group(code) or code
            groups[group if group not in groups else code] = code
    return groups


def enablement_groups(db: Database, f: Filters) -> ProtectedResult:
    """MIA17 enablement beyond 6 weeks per period and client group (and all enablement), for
    the city or the chosen area: people, people beyond 6 weeks, the share, cost beyond day 42."""
    level, area = place(db, f)
    everything = _mia17_member(f)
    groups = enablement_groups_of(db)
    whats = {
        **{what_member("element", code): group for group, code in groups.items()},
        everything: ALL,
    }
    for what in whats:
        check(f, level=level, what=what, single_periods=True)
    lookup = lookup_for(
        f, level=level, periods=single_periods(db, f), whats=tuple(whats), areas=(area,)
    )
    cells = grid(db, lookup, ("period", "what"))
    group = [whats[what] for what in cells["what"]]
    labels = {
        ALL: ALL_ENABLEMENT_LABEL,
        **{g: f"{group_label(element_group(code) or code)} ({code})" for g, code in groups.items()},
    }
    columns: dict[str, Any] = {
        "period": cells["period"],
        "group": np.array(group, dtype=object),
        "group_label": np.array([labels[g] for g in group], dtype=object),
        **enablement_values(cells),
    }
    cols = [
        Column("period", "period"),
        Column("group", "category"),
        Column("group_label", "category"),
        *ENABLEMENT_COLUMNS,
    ]
    title = f"MIA17 enablement beyond 6 weeks by client group, per {f.period_kind}"
    m = meta(db, "enablement_groups", f, title, measure="people_over_6w", notes=ENABLEMENT_NOTES)
    m["denominator"] = ENABLEMENT_DENOMINATOR
    m["client_groups"] = "the client-group prefix of the enablement element code: " + ", ".join(
        f"{g} = {code}" for g, code in groups.items()
    )
    return ProtectedResult(cols, plain_frame(columns), m)


def enablement_areas(db: Database, f: Filters) -> ProtectedResult:
    """MIA17 enablement beyond 6 weeks per period and area at the chosen level: people, people
    beyond 6 weeks, the share and the cost beyond day 42 (the enablement view, year by year)."""
    what = _mia17_member(f)
    check(f, what=what, single_periods=True)
    areas = shown_areas(db, f)
    lookup = lookup_for(f, periods=single_periods(db, f), whats=(what,), areas=tuple(areas))
    cells = grid(db, lookup, ("period", "area_code"))
    columns: dict[str, Any] = {
        "period": cells["period"],
        "area_code": cells["area_code"],
        "area_name": area_names(db, f.level, cells["area_code"]),
        **enablement_values(cells),
    }
    cols = [
        Column("period", "period"),
        Column("area_code", "area"),
        Column("area_name", "area"),
        *ENABLEMENT_COLUMNS,
    ]
    title = f"MIA17 enablement beyond 6 weeks by {f.level}, per {f.period_kind}"
    m = meta(
        db,
        "enablement_areas",
        f,
        title,
        measure="people_over_6w",
        notes=(*ENABLEMENT_NOTES, ACTIVITY_NOTE),
    )
    m["denominator"] = ENABLEMENT_DENOMINATOR
    m["what"] = what
    return ProtectedResult(cols, plain_frame(columns), m)


def targets_theme(f: Filters) -> str | None:
    """The theme whose targets are shown (its provision part has the theme's targets); None for
    every theme. A service, element or provision type alone has no budget figures."""
    kind = what_kind(f.what)
    if kind == ALL:
        return None
    if kind in ("theme", "theme_provision"):
        return f.what.split(":")[1]
    raise FilterError(
        next(iter(what_params(f.what))), "savings targets are set per MIA theme: choose themes"
    )


def targets_in_pounds(db: Database, theme: str | None) -> pd.DataFrame:
    """Table 14 in pounds, with each saving's share of the net spend (both budget figures, so
    the share is sound), one row per theme and financial year."""
    rows = db.reference.targets(theme)
    # NULL (None) amounts become NaN
    net = np.array([t.net_spend_2015_16_m for t in rows], dtype="float64") * 1_000_000
    saving = np.array([t.saving_m for t in rows], dtype="float64") * 1_000_000
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.round(saving / net, 4)
    columns: dict[str, Any] = {
        "theme": _text([t.theme for t in rows]),
        "theme_name": _text([t.theme_name for t in rows]),
        "scope": _text([t.scope for t in rows]),
        "financial_year": _text([t.financial_year for t in rows]),
        "net_spend_2015_16": np.round(net, 0),
        "saving": np.round(saving, 0),
        "saving_share_of_net_spend": share,
    }
    return plain_frame(columns)


def _text(values: list[str | None]) -> np.ndarray:
    """A text column as plain strings, "" where NULL."""
    return np.array(["" if v is None else str(v) for v in values], dtype=object)


def mia_targets(db: Database, f: Filters) -> ProtectedResult:
    """Table 14: an MIA theme's net spend 2015/16 and savings target per financial year, £
    (budget figures: reference data, not protected counts), and each saving's share of it."""
    cols = [
        Column("theme", "category"),
        Column("theme_name", "category"),
        Column("scope", "category"),
        Column("financial_year", "period"),
        Column("net_spend_2015_16", "budget"),
        Column("saving", "budget"),
        Column("saving_share_of_net_spend", "share"),
    ]
    m = meta(db, "mia_targets", f, "Net spend 2015/16 and savings targets, £ (budget figures)")
    m["definition"] = (
        "The council's 2016 budget for the theme (Table 14): net spend 2015/16 and the savings "
        "target of each financial year; the share is the saving / the net spend."
    )
    m["denominator"] = "the theme's net spend 2015/16 (a budget figure)"
    m["rule"] = "Not applicable: budget figures (reference data), not counts of people."
    m["source"] = (
        "Table 14 of the thesis (T:1772-1777): care_atlas/reference/mia_targets.csv as built "
        "into the serving database."
    )
    m["notes"] = [NOT_RECONCILED_NOTE, "Reference data, not personal data: not perturbed."]
    m["part_periods"] = {}  # Table 14's years are budget years, not periods of the data
    return ProtectedResult(cols, targets_in_pounds(db, targets_theme(f)), m)
