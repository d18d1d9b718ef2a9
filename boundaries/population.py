"""Resident population by area and age band: the denominators of per-1,000 rates.

Ward figures are the ONS mid-2020 small-area estimates apportioned to wards (the geography
folder's ``population_mid2020_ward_bands.csv``). Nobody publishes population by postcode sector,
district or H3 cell, so those are ESTIMATES made here: each ward's population in a band is split
equally over the ward's placeable postcodes, and each postcode's share is summed into its
sector, district and cells. The estimate assumes every postcode unit houses the same number of
people within a ward, which is fair on average (a unit is about 15 addresses) but not for a
single tower block; it is exact at ward and city level by construction.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from boundaries import sources
from boundaries.geography import wards
from boundaries.hexagons import H3_RESOLUTIONS
from boundaries.lookup import geography_key, postcode_lookup
from boundaries.sources import GeographyError
from care_atlas.config import Settings
from care_atlas.vocab import DEFAULT_AGE_BANDS

ALL_AGES = "All"
#: Map levels below the ward whose population is apportioned from wards by postcode count.
APPORTIONED_LEVELS: tuple[str, ...] = ("district", "sector", *(f"h3r{r}" for r in H3_RESOLUTIONS))
LEVELS: tuple[str, ...] = ("city", "ward", *APPORTIONED_LEVELS)
AGE_BANDS: tuple[str, ...] = (*(label for label, _, _ in DEFAULT_AGE_BANDS), ALL_AGES)


def band_column(label: str, lower: int, upper: int | None) -> str:
    """The population file's column for a half-open band: [0, 11) -> "age_0_10", 65+ ->
    "age_65_plus"."""
    return f"age_{lower}_plus" if upper is None else f"age_{lower}_{upper - 1}"


def _ward_population(settings: Settings) -> pd.DataFrame:
    """Long table ward_code, age_band, population for every ward of the geography."""
    table = sources.read_ward_population(settings)
    path = settings.geography_dir / sources.WARD_POPULATION.name
    columns = {ALL_AGES: "total"}
    columns.update({label: band_column(label, lo, hi) for label, lo, hi in DEFAULT_AGE_BANDS})
    missing = [c for c in columns.values() if c not in table.columns]
    if missing:
        raise GeographyError(
            f"{path} (population by ward and age band) lacks field(s): {', '.join(missing)}"
        )
    table = table.assign(ward_code=table["ward_code"].astype("str").str.strip())
    ward_codes = wards(settings)["area_code"]
    absent = sorted(set(ward_codes) - set(table["ward_code"]))
    if absent:
        raise GeographyError(f"{path} has no population for ward(s): {', '.join(absent[:5])}")
    table = table[table["ward_code"].isin(set(ward_codes))].drop_duplicates("ward_code")
    long = [
        pd.DataFrame(
            {
                "ward_code": table["ward_code"].to_numpy(),
                "age_band": label,
                "population": pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float),
            }
        )
        for label, column in columns.items()
    ]
    out = pd.concat(long, ignore_index=True)
    bad = out[~(out["population"] >= 0)]
    if not bad.empty:
        raise GeographyError(
            f"{path}: population is not a non-negative number for ward {bad['ward_code'].iloc[0]}"
        )
    return out


def _apportioned(settings: Settings, ward_pop: pd.DataFrame) -> pd.DataFrame:
    lookup = postcode_lookup(settings)
    placed = lookup.loc[lookup["placeable"], ["ward_code", *APPORTIONED_LEVELS]]
    per_ward = placed.groupby("ward_code").size().rename("n_postcodes")
    shares = ward_pop.join(per_ward, on="ward_code", how="inner")
    shares["per_postcode"] = shares["population"] / shares["n_postcodes"]
    spread = placed.merge(shares[["ward_code", "age_band", "per_postcode"]], on="ward_code")
    parts = [
        spread.groupby([level, "age_band"], as_index=False)["per_postcode"]
        .sum()
        .rename(columns={level: "area_code", "per_postcode": "population"})
        .assign(level=level)
        for level in APPORTIONED_LEVELS
    ]
    return pd.concat(parts, ignore_index=True)


@lru_cache(maxsize=8)
def _area_population(settings: Settings) -> pd.DataFrame:
    ward_pop = _ward_population(settings)
    city = (
        ward_pop.groupby("age_band", as_index=False)["population"]
        .sum()
        .assign(level="city", area_code=settings.lad_code)
    )
    ward = ward_pop.rename(columns={"ward_code": "area_code"}).assign(level="ward")
    out = pd.concat([city, ward, _apportioned(settings, ward_pop)], ignore_index=True)
    out["population"] = out["population"].round(1)
    out["level"] = pd.Categorical(out["level"], categories=LEVELS, ordered=True)
    out["age_band"] = pd.Categorical(out["age_band"], categories=AGE_BANDS, ordered=True)
    out = out.sort_values(["level", "area_code", "age_band"], kind="stable")
    out["level"] = out["level"].astype("str")
    out["age_band"] = out["age_band"].astype("str")
    return out[["level", "area_code", "age_band", "population"]].reset_index(drop=True)


def area_population(settings: Settings) -> pd.DataFrame:
    """Columns level, area_code, age_band, population for every area of :data:`LEVELS` and
    every band of :data:`AGE_BANDS` ("0-10", "11-24", "25-64", "65+", "All").

    City and ward rows are the source figures; district, sector and H3 rows are estimates
    (see the module docstring), rounded to one decimal place.
    """
    return _area_population(geography_key(settings)).copy()
