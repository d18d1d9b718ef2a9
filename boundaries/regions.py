"""Region sets: the council's own groupings of whole districts or wards, fixed at build time.

PRIVACY.md §2: a region is a union of whole areas of one kind, at least 5,000 residents, and
no two regions of a set share an area, so a region is never a free-form shape an attacker can
difference against its neighbours. The default set is the thesis's North / East / South
(``care_atlas/reference/regions.toml``); a council passes its own file to the build.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from care_atlas.errors import UserError

#: The fewest residents a region may have.
MIN_REGION_RESIDENTS = 5_000
REGION_KINDS: tuple[str, ...] = ("district", "ward")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.'&()-]{0,39}$")


@dataclass(frozen=True)
class Region:
    set_id: str
    name: str
    members: tuple[str, ...]

    @property
    def code(self) -> str:
        """The region's area code at level "region": "<set id>/<name>"."""
        return f"{self.set_id}/{self.name}"


@dataclass(frozen=True)
class RegionSet:
    id: str
    name: str
    kind: str
    regions: tuple[Region, ...]


def default_regions_file() -> Path:
    return Path(str(resources.files("care_atlas.reference").joinpath("regions.toml")))


def _fail(path: Path, message: str) -> UserError:
    return UserError(f"region sets in {path}: {message}")


def load_region_sets(path: Path | None = None) -> tuple[RegionSet, ...]:
    """Read and shape-check a region-set file (TOML; see the default file for the format)."""
    path = Path(path) if path is not None else default_regions_file()
    try:
        body = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"cannot read region sets {path}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _fail(path, f"not valid TOML ({exc})") from exc
    sets = body.get("set", [])
    if not isinstance(sets, list):
        raise _fail(path, "write each set as a [[set]] table")
    out: list[RegionSet] = []
    for entry in sets:
        if not isinstance(entry, dict):
            raise _fail(path, "write each set as a [[set]] table")
        set_id, kind = str(entry.get("id", "")), str(entry.get("kind", ""))
        if not _ID.match(set_id) or set_id in {s.id for s in out}:
            raise _fail(path, f"set id {set_id!r} must be unique, lower case, up to 20 characters")
        if kind not in REGION_KINDS:
            raise _fail(path, f"set {set_id!r}: kind must be one of {', '.join(REGION_KINDS)}")
        regions: list[Region] = []
        for item in entry.get("region", []):
            name = str(item.get("name", "")) if isinstance(item, dict) else ""
            members = item.get("members", []) if isinstance(item, dict) else []
            if not _NAME.match(name) or name in {r.name for r in regions}:
                raise _fail(path, f"set {set_id!r}: region name {name!r} is missing or repeated")
            if not isinstance(members, list) or not members:
                raise _fail(path, f"region {name!r} of set {set_id!r} lists no members")
            regions.append(Region(set_id, name, tuple(str(m).strip() for m in members)))
        if not regions:
            raise _fail(path, f"set {set_id!r} has no regions")
        out.append(RegionSet(set_id, str(entry.get("name", set_id)), kind, tuple(regions)))
    return tuple(out)


def check_region_sets(sets: tuple[RegionSet, ...], areas: pd.DataFrame, path: Path) -> None:
    """Each member is a known area of the set's kind, shared by no two regions of the set,
    and each region has at least MIN_REGION_RESIDENTS residents; the error names the region."""
    for region_set in sets:
        known = areas[areas["level"] == region_set.kind].set_index("area_code")["population"]
        owner: dict[str, str] = {}
        for region in region_set.regions:
            for member in region.members:
                if member not in known.index:
                    raise _fail(
                        path,
                        f"region {region.name!r} of set {region_set.id!r}: {member!r} is not a "
                        f"{region_set.kind} of this geography",
                    )
                if member in owner:
                    raise _fail(
                        path,
                        f"region {region.name!r} of set {region_set.id!r} overlaps region "
                        f"{owner[member]!r}: both hold {member}",
                    )
                owner[member] = region.name
            residents = float(known.loc[list(region.members)].sum())
            if residents < MIN_REGION_RESIDENTS:
                raise _fail(
                    path,
                    f"region {region.name!r} of set {region_set.id!r} has {residents:,.0f} "
                    f"residents; a region needs at least {MIN_REGION_RESIDENTS:,}",
                )


def region_tables(
    sets: tuple[RegionSet, ...], areas: pd.DataFrame, population: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """The build's region reference: ``region_sets``, ``region_members``, the regions' rows
    for the areas table (level "region") and their population by age band, each summed from
    the members."""
    set_rows, member_rows, area_rows = [], [], []
    members = []
    for region_set in sets:
        set_rows.append((region_set.id, region_set.name, region_set.kind))
        known = areas[areas["level"] == region_set.kind].set_index("area_code")["population"]
        for region in region_set.regions:
            member_rows += [(region.code, region_set.kind, m) for m in region.members]
            members += [(region.code, region_set.kind, m) for m in region.members]
            residents = float(known.reindex(list(region.members)).fillna(0).sum())
            area_rows.append(("region", region.code, region.name, None, None, residents))
    member_frame = pd.DataFrame(members, columns=["region", "level", "area_code"])
    by_band = member_frame.merge(population, on=["level", "area_code"])
    region_population = (
        by_band.groupby(["region", "age_band"], as_index=False)["population"]
        .sum()
        .rename(columns={"region": "area_code"})
        .assign(level="region")
    )
    return {
        "region_population": region_population[["level", "area_code", "age_band", "population"]],
        "region_sets": pd.DataFrame(set_rows, columns=["set_id", "set_name", "kind"]),
        "region_members": pd.DataFrame(
            member_rows, columns=["area_code", "member_level", "member_code"]
        ),
        "region_areas": pd.DataFrame(
            area_rows,
            columns=[
                "level",
                "area_code",
                "area_name",
                "parent_ward_code",
                "district",
                "population",
            ],
        ),
    }
