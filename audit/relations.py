"""Every linear relation the catalogue offers an attacker: a parent cell = the sum of its parts.

A relation type maps members of one dimension to their parent (a sector to its district, an
element to its service, an age band to 'all', a year to each preset range holding it, a
district to each region holding it, ...). Every cell whose member maps has a parent cell: the
same key with that one member replaced. Absent cells are true zeros, so a parent and its
present children form a complete relation, as long as the catalogue publishes that breakdown
(it does wherever any child is present) and the measure is additive over it.

Agreement counts are additive over every partition by construction; people counts only where
nobody is in two parts. The audit plays the strongest attacker, who knows exactly where a
relation holds: each relation is kept for a measure only where the parent's true count equals
the sum of its children's (`exact`), and the report says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from audit.cells import CellTable

#: Families of relation types. Within a family one relation per role is used for a target (its
#: relations there share cells); across families they share none, so their evidence multiplies.
FAMILIES = ("geography", "what", "age", "client", "gender", "ethnic", "period")
#: Families each count measure is additive over (period only for counts of events).
MEASURE_FAMILIES: dict[str, tuple[str, ...]] = {
    "people": FAMILIES[:-1],
    "agreements_active": FAMILIES[:-1],
    "people_over_6w": FAMILIES[:-1],
    "agreements_started": FAMILIES,
    "cost": FAMILIES,
    "cost_beyond_42": FAMILIES,
}


@dataclass(frozen=True)
class RelationType:
    """Children of `dim` map to a parent member: `parent[child code]` (-1: not a child)."""

    name: str
    family: str
    dim: str
    parent: np.ndarray


@dataclass
class Relations:
    """All relation instances: instance r has parent cell `parent[r]` and type `kind[r]`;
    `child_cell[k]` belongs to instance `child_rel[k]`."""

    types: list[RelationType]
    kind: np.ndarray
    parent: np.ndarray
    child_cell: np.ndarray
    child_rel: np.ndarray
    #: Parts of each instance with no cell (true zeros): known 0 where zeros are published, but
    #: [c] like any small count where they are not (the attacker cannot tell them apart).
    absent: np.ndarray

    def __len__(self) -> int:
        return len(self.parent)

    def family_of(self, rel: np.ndarray) -> np.ndarray:
        codes = np.array([FAMILIES.index(t.family) for t in self.types], dtype=np.int64)
        return codes[self.kind[rel]]

    def exact(self, true_n: np.ndarray) -> np.ndarray:
        """Per instance: does parent = sum of children hold for these true counts?"""
        sums = np.bincount(self.child_rel, weights=true_n[self.child_cell], minlength=len(self))
        return np.isclose(sums, true_n[self.parent])

    def describe(self, r: int, cells: CellTable) -> str:
        t = self.types[int(self.kind[r])]
        k = int((self.child_rel == r).sum())
        return f"{t.name}: [{cells.describe(int(self.parent[r]))}] = sum of {k} part{'' if k == 1 else 's'}"


def _map(cells: CellTable, dim: str, pairs: Iterable[tuple[tuple[str, ...], tuple[str, ...]]]):
    """Child member -> parent member as a code array (members no cell uses are skipped)."""
    out = np.full(len(cells.vocab[dim]), -1, dtype=np.int64)
    for child, parent in pairs:
        c, p = cells.code_of(dim, *child), cells.code_of(dim, *parent)
        if c >= 0 and p >= 0:
            out[c] = p
    return out


def _geo_types(cells: CellTable, ref: dict[str, pd.DataFrame]) -> list[RelationType]:
    geo = cells.vocab["geo"]
    members = list(geo.itertuples(index=False, name=None))
    city = next((m for m in members if m[0] == "city"), ("city", "city"))
    out = []
    for level in ("ward", "district", "sector", "h3r7", "h3r8"):
        pairs = [((lv, code), city) for lv, code in members if lv == level]
        out.append(
            RelationType(f"{level}s in the city", "geography", "geo", _map(cells, "geo", pairs))
        )
    areas = ref.get("areas")
    if areas is not None and "district" in areas:
        sectors = areas[areas["level"] == "sector"]
        pairs = [
            (("sector", a), ("district", d))
            for a, d in zip(sectors["area_code"], sectors["district"], strict=True)
            if isinstance(d, str)
        ]
        out.append(
            RelationType("sectors in their district", "geography", "geo", _map(cells, "geo", pairs))
        )
    h3_children = [code for lv, code in members if lv == "h3r8"]
    if h3_children:
        import h3

        pairs = [(("h3r8", c), ("h3r7", h3.cell_to_parent(c, 7))) for c in h3_children]
        out.append(
            RelationType(
                "H3 8 cells in their H3 7 cell", "geography", "geo", _map(cells, "geo", pairs)
            )
        )
    out += _region_types(cells, ref.get("region_members"), city)
    return out


def _region_types(
    cells: CellTable, rm: pd.DataFrame | None, city: tuple[str, str]
) -> list[RelationType]:
    """Region = its member districts (or wards); the regions of a set in the city; and one
    region of a set = a smaller region of another set plus the members between them."""
    if rm is None or rm.empty:
        return []
    out = []
    regions = {
        r: set(zip(g["member_level"], g["member_code"], strict=True))
        for r, g in rm.groupby("area_code")
    }
    by_set: dict[str, list[str]] = {}
    for r in regions:
        by_set.setdefault(r.split("/")[0], []).append(r)
    for set_id, names in sorted(by_set.items()):
        pairs = [((lv, code), ("region", r)) for r in names for lv, code in regions[r]]
        out.append(
            RelationType(
                f"members of each region of set {set_id}",
                "geography",
                "geo",
                _map(cells, "geo", pairs),
            )
        )
        pairs = [(("region", r), city) for r in names]
        out.append(
            RelationType(
                f"regions of set {set_id} in the city",
                "geography",
                "geo",
                _map(cells, "geo", pairs),
            )
        )
    for big, big_members in sorted(regions.items()):
        for small, small_members in sorted(regions.items()):
            if big.split("/")[0] == small.split("/")[0] or not small_members < big_members:
                continue
            pairs = [(("region", small), ("region", big))]
            pairs += [(m, ("region", big)) for m in sorted(big_members - small_members)]
            name = f"region {big} = region {small} + {len(big_members - small_members)} members"
            out.append(RelationType(name, "geography", "geo", _map(cells, "geo", pairs)))
    return out


def _what_types(cells: CellTable, ref: dict[str, pd.DataFrame]) -> list[RelationType]:
    what = [w for (w,) in cells.vocab["what"].itertuples(index=False, name=None)]
    out = []
    for prefix in ("provision:", "service:", "theme:"):
        pairs = [((w,), ("all",)) for w in what if w.startswith(prefix) and w.count(":") == 1]
        out.append(
            RelationType(
                f"{prefix[:-1]}s in all services", "what", "what", _map(cells, "what", pairs)
            )
        )
    pairs = [
        ((w,), (w.rsplit(":", 1)[0],)) for w in what if w.startswith("theme:") and w.count(":") == 2
    ]
    out.append(
        RelationType("provision types in their theme", "what", "what", _map(cells, "what", pairs))
    )
    el = ref.get("elements")
    if el is None or el.empty:
        return out
    el = el.set_index("element_code")
    parents = {
        "elements in their service": lambda e: f"service:{el.at[e, 'service_code']}",
        "elements in their provision type": lambda e: f"provision:{el.at[e, 'provision_type']}",
        "elements in their theme": lambda e: f"theme:{el.at[e, 'mia_theme']}",
        "elements in their theme and provision type": lambda e: (
            f"theme:{el.at[e, 'mia_theme']}:{el.at[e, 'provision_type']}"
        ),
    }
    codes = [w.split(":", 1)[1] for w in what if w.startswith("element:")]
    for name, parent in parents.items():
        pairs = [((f"element:{e}",), (parent(e),)) for e in codes if e in el.index]
        out.append(RelationType(name, "what", "what", _map(cells, "what", pairs)))
    return out


def _simple_types(cells: CellTable) -> list[RelationType]:
    out = []
    for dim, label in (
        ("age", "age bands"),
        ("client", "client groups"),
        ("gender", "genders"),
        ("ethnic", "ethnic groups"),
    ):
        members = [v for (v,) in cells.vocab[dim].itertuples(index=False, name=None)]
        pairs = [((v,), ("all",)) for v in members if v != "all"]
        out.append(RelationType(f"{label} in all", dim, dim, _map(cells, dim, pairs)))
    return out


def _period_types(cells: CellTable, ref: dict[str, pd.DataFrame]) -> list[RelationType]:
    pm, periods = ref.get("period_members"), ref.get("periods")
    if pm is None or periods is None:
        return []
    out = []
    ordinal = {
        (k, p): o
        for k, p, o in zip(
            periods["period_kind"], periods["period"], periods["ordinal"], strict=True
        )
    }
    for row in pm[pm["is_range"].astype(bool)].itertuples(index=False):
        lo, hi = (
            ordinal.get((row.period_kind, row.first_period)),
            ordinal.get((row.period_kind, row.last_period)),
        )
        if lo is None or hi is None:
            continue
        singles = periods[
            (periods["period_kind"] == row.period_kind) & periods["ordinal"].between(lo, hi)
        ]
        pairs = [((row.period_kind, p), (row.period_kind, row.period)) for p in singles["period"]]
        out.append(
            RelationType(
                f"single periods in {row.period}", "period", "period", _map(cells, "period", pairs)
            )
        )
    quarters = periods[periods["period_kind"] == "quarter"]
    for kind in ("year", "fy"):
        wholes = periods[periods["period_kind"] == kind]
        pairs = [
            (("quarter", q.period), (kind, w.period))
            for q in quarters.itertuples(index=False)
            for w in wholes.itertuples(index=False)
            if w.start_date <= q.start_date and q.end_date <= w.end_date
        ]
        out.append(
            RelationType(
                f"quarters in their {'financial ' if kind == 'fy' else ''}year",
                "period",
                "period",
                _map(cells, "period", pairs),
            )
        )
    return out


def relation_types(cells: CellTable, ref: dict[str, pd.DataFrame]) -> list[RelationType]:
    types = _geo_types(cells, ref) + _what_types(cells, ref) + _simple_types(cells)
    types += _period_types(cells, ref)
    return [t for t in types if (t.parent >= 0).any()]


def build(cells: CellTable, types: list[RelationType]) -> Relations:
    """Every instance of every type whose parent cell is published (present)."""
    packed = cells.packed
    index = pd.Index(packed)
    kinds, parents, child_cells, child_rels, absents = [], [], [], [], []
    base = 0
    for t_i, t in enumerate(types):
        code = cells.codes[t.dim]
        target = t.parent[code]
        kids = np.nonzero(target >= 0)[0]
        parent_key = packed[kids] + (target[kids] - code[kids]) * cells.multiplier(t.dim)
        parent = index.get_indexer(parent_key)
        keep = parent >= 0
        kids, parent = kids[keep], parent[keep]
        uniq, rel = np.unique(parent, return_inverse=True)
        kinds.append(np.full(len(uniq), t_i, dtype=np.int64))
        parents.append(uniq.astype(np.int64))
        child_cells.append(kids.astype(np.int64))
        child_rels.append(rel.astype(np.int64) + base)
        members = np.bincount(t.parent[t.parent >= 0], minlength=len(t.parent))
        present = np.bincount(rel, minlength=len(uniq))
        absents.append(np.maximum(members[code[uniq]] - present, 0).astype(np.int64))
        base += len(uniq)
    cat = lambda xs: np.concatenate(xs) if xs else np.zeros(0, dtype=np.int64)  # noqa: E731
    child_rel = cat(child_rels)
    order = np.argsort(child_rel, kind="stable")  # memberships by relation: sums are runs
    return Relations(
        types, cat(kinds), cat(parents), cat(child_cells)[order], child_rel[order], cat(absents)
    )
