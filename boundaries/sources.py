"""Read and validate the files of the geography folder.

Every loader checks that its file exists and carries the fields Care Atlas uses, and raises
:class:`GeographyError` naming the file and the missing fields otherwise, so a council pointing
the setting at its own ONS downloads learns at once what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from care_atlas.config import Settings


class GeographyError(Exception):
    """A geography file is missing or lacks a field Care Atlas needs."""


@dataclass(frozen=True)
class SourceFile:
    name: str
    required: tuple[str, ...]
    what: str


WARDS = SourceFile("birmingham_wards_2024.geojson", ("ward_code", "ward_name"), "ward polygons")
BOUNDARY = SourceFile("birmingham_boundary.geojson", ("lad_code",), "local authority outline")
SECTORS = SourceFile(
    "birmingham_postcode_sectors_derived.geojson",
    ("sector", "district", "main_ward_code"),
    "postcode sector polygons",
)
DISTRICTS = SourceFile(
    "birmingham_postcode_districts_derived.geojson", ("district",), "postcode district polygons"
)
POSTCODES = SourceFile(
    "birmingham_postcodes.csv",
    ("postcode", "sector", "district", "lat", "lon", "ward_code", "shared_multi_sector"),
    "postcode unit centroids inside the area",
)
AREA_POSTCODES = SourceFile(
    "b_area_postcodes.csv",
    ("postcode", "sector", "district", "lat", "lon", "lad_code", "in_birmingham"),
    "postcode unit centroids of the wider postcode area (for 'outside the area')",
)
WARD_POPULATION = SourceFile(
    "population_mid2020_ward_bands.csv",
    ("ward_code", "age_0_10", "age_11_24", "age_25_64", "age_65_plus", "total"),
    "population by ward and age band",
)
SOURCES_NOTE = "SOURCES.md"


def _path(settings: Settings, source: SourceFile) -> Path:
    path = settings.geography_dir / source.name
    if not path.is_file():
        raise GeographyError(
            f"geography file missing: {path} ({source.what}). Set CARE_ATLAS_GEOGRAPHY_DIR "
            f"to the folder that holds it."
        )
    return path


def _check_fields(df: pd.DataFrame, source: SourceFile, path: Path) -> None:
    missing = [f for f in source.required if f not in df.columns]
    if missing:
        raise GeographyError(f"{path} ({source.what}) lacks field(s): {', '.join(missing)}")
    if df.empty:
        raise GeographyError(f"{path} ({source.what}) has no rows")


def _read_polygons(settings: Settings, source: SourceFile) -> gpd.GeoDataFrame:
    path = _path(settings, source)
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise GeographyError(f"cannot read {path} ({source.what}): {exc}") from exc
    _check_fields(gdf, source, path)
    if gdf.crs is None:
        raise GeographyError(f"{path} has no coordinate reference system")
    return gdf.to_crs(4326)


def _read_table(settings: Settings, source: SourceFile) -> pd.DataFrame:
    path = _path(settings, source)
    try:
        df = pd.read_csv(path, dtype={"postcode": str, "sector": str, "district": str})
    except Exception as exc:
        raise GeographyError(f"cannot read {path} ({source.what}): {exc}") from exc
    _check_fields(df, source, path)
    return df


def read_wards(settings: Settings) -> gpd.GeoDataFrame:
    return _read_polygons(settings, WARDS)


def read_boundary(settings: Settings) -> gpd.GeoDataFrame:
    return _read_polygons(settings, BOUNDARY)


def read_sectors(settings: Settings) -> gpd.GeoDataFrame:
    return _read_polygons(settings, SECTORS)


def read_districts(settings: Settings) -> gpd.GeoDataFrame:
    return _read_polygons(settings, DISTRICTS)


def read_postcodes(settings: Settings) -> pd.DataFrame:
    """Unit postcode centroids inside the area (Code-Point Open), one row per postcode."""
    return _read_table(settings, POSTCODES)


def read_area_postcodes(settings: Settings) -> pd.DataFrame:
    """The wider postcode area, including units outside the council (for 'outside the area')."""
    return _read_table(settings, AREA_POSTCODES)


def read_ward_population(settings: Settings) -> pd.DataFrame:
    return _read_table(settings, WARD_POPULATION)


def read_attribution(settings: Settings) -> str:
    """The attribution block from SOURCES.md (the quoted paragraph under 'Attribution')."""
    path = settings.geography_dir / SOURCES_NOTE
    if not path.is_file():
        return "Contains OS data © Crown copyright and database right. Contains Royal Mail data © Royal Mail copyright and database right. Contains National Statistics data © Crown copyright and database right. Open Government Licence v3.0."
    lines = path.read_text(encoding="utf-8").splitlines()
    quoted, inside = [], False
    for line in lines:
        if line.lower().startswith("## attribution"):
            inside = True
            continue
        if inside and line.startswith("## "):
            break
        if inside and line.startswith(">"):
            quoted.append(line.lstrip("> ").strip())
    return " ".join(quoted)
