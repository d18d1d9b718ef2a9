"""The area polygons of each map level, in one shape: ``area_code``, ``area_name``, geometry.

Every function returns a GeoDataFrame in EPSG:4326 (lon-lat, what browsers and H3 use),
whatever the source file's CRS: :mod:`boundaries.sources` reprojects British National Grid
input with pyproj. Sector and district polygons are DERIVED (Voronoi cells of postcode
centroids, see docs/GEOGRAPHY.md), not an official product.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from boundaries import sources
from boundaries.sources import GeographyError
from care_atlas.config import Settings

#: CRS of everything this package returns.
WGS84 = 4326
#: British National Grid: metres, for simplification tolerances and areas.
BRITISH_NATIONAL_GRID = 27700


def _shape(gdf: gpd.GeoDataFrame, code: pd.Series, name: pd.Series, **extra) -> gpd.GeoDataFrame:
    columns = {
        "area_code": code.astype("str").to_numpy(),
        "area_name": name.astype("str").to_numpy(),
        **extra,
    }
    frame = gpd.GeoDataFrame(columns, geometry=gdf.geometry.values, crs=gdf.crs)
    frame = frame.to_crs(WGS84).sort_values("area_code", kind="stable")
    return frame.reset_index(drop=True)


def _require_unique(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    dupes = gdf["area_code"][gdf["area_code"].duplicated()].unique().tolist()
    if dupes:
        raise GeographyError(f"{what}: area codes appear more than once: {dupes[:5]}")
    return gdf


def wards(settings: Settings) -> gpd.GeoDataFrame:
    """Electoral wards: ``area_code`` = ward_code (E05...), ``area_name`` = ward name."""
    gdf = sources.read_wards(settings)
    return _require_unique(_shape(gdf, gdf["ward_code"], gdf["ward_name"]), sources.WARDS.name)


def districts(settings: Settings) -> gpd.GeoDataFrame:
    """Postcode districts ("B23"): DERIVED polygons, the dissolved sector polygons."""
    gdf = sources.read_districts(settings)
    code = gdf["district"].astype("str").str.strip().str.upper()
    return _require_unique(_shape(gdf, code, code), sources.DISTRICTS.name)


def sectors(settings: Settings) -> gpd.GeoDataFrame:
    """Postcode sectors ("B23 6"): DERIVED Voronoi polygons, with ``district`` and
    ``main_ward_code`` (the ward holding most of the sector's postcodes)."""
    gdf = sources.read_sectors(settings)
    code = gdf["sector"].astype("str").str.strip().str.upper()
    frame = _shape(
        gdf,
        code,
        code,
        district=gdf["district"].astype("str").str.strip().str.upper().to_numpy(),
        main_ward_code=gdf["main_ward_code"].astype("str").to_numpy(),
    )
    return _require_unique(frame, sources.SECTORS.name)


def local_authority(settings: Settings) -> gpd.GeoDataFrame:
    """The council's outline, one row: ``area_code`` = ``settings.lad_code``.

    Raises :class:`GeographyError` when the boundary file describes another authority, so a
    council that points the geography folder at its own files but forgets
    CARE_ATLAS_LAD_CODE hears about it instead of getting mismatched area codes.
    """
    gdf = sources.read_boundary(settings)
    codes = gdf["lad_code"].astype("str")
    chosen = gdf[codes == settings.lad_code]
    if chosen.empty:
        raise GeographyError(
            f"{settings.geography_dir / sources.BOUNDARY.name} has lad_code "
            f"{sorted(codes.unique())[:3]}, not {settings.lad_code}: set CARE_ATLAS_LAD_CODE"
        )
    name = chosen["lad_name"] if "lad_name" in chosen.columns else chosen["lad_code"]
    outline = chosen.dissolve()
    return _shape(outline, pd.Series([settings.lad_code]), pd.Series([str(name.iloc[0])]))
