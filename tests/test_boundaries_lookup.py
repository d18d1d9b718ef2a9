"""Placing postcodes: lookup columns, placeability, H3 cells and the 'outside the area' case."""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd
import pytest

from boundaries.geography import districts, sectors, wards
from boundaries.hexagons import H3_RESOLUTIONS, cell_for, cells_for, hexagons
from boundaries.lookup import LOOKUP_COLUMNS, PostcodePlace, place_postcode, postcode_lookup
from boundaries.postcodes import InvalidPostcode
from care_atlas.config import Settings, load_settings

#: SOURCES.md: the postcode sectors with no derived polygon (PO boxes, delivery offices, B99).
SECTORS_WITHOUT_POLYGON = set(
    [
        "B11 9",
        "B13 3",
        "B16 6",
        "B18 9",
        "B2 2",
        "B21 1",
        "B23 3",
        "B25 9",
        "B28 1",
        "B29 9",
        "B30 9",
        "B31 9",
        "B32 9",
        "B33 3",
        "B35 9",
        "B36 0",
        "B42 9",
        "B45 5",
        "B47 6",
        "B6 9",
        "B73 9",
        "B9 9",
        "B99 1",
    ]
)


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="module")
def lookup(settings: Settings) -> pd.DataFrame:
    return postcode_lookup(settings)


@pytest.fixture(scope="module")
def source(settings: Settings) -> pd.DataFrame:
    return pd.read_csv(settings.geography_dir / "birmingham_postcodes.csv")


def test_lookup_shape(lookup: pd.DataFrame, source: pd.DataFrame) -> None:
    assert list(lookup.columns) == list(LOOKUP_COLUMNS)
    assert len(lookup) == len(source) == lookup["postcode"].nunique()
    assert lookup["placeable"].dtype == bool
    assert postcode_lookup(load_settings()) is lookup  # cached per settings


def test_placeable_excludes_shared_points_and_b99(
    lookup: pd.DataFrame, source: pd.DataFrame
) -> None:
    expected = (source["shared_multi_sector"] != 1) & (source["district"] != "B99")
    merged = lookup.merge(source[["postcode"]].assign(expected=expected), on="postcode")
    assert (merged["placeable"] == merged["expected"]).all()
    assert int(lookup["placeable"].sum()) == 20_891  # SOURCES.md
    unplaced = lookup[~lookup["placeable"]]
    assert unplaced[["ward_code", "lat", "lon", "h3r7", "h3r8"]].isna().all().all()
    placed = lookup[lookup["placeable"]]
    assert placed[["ward_code", "lat", "lon", "h3r7", "h3r8"]].notna().all().all()


def test_sectors_without_polygon_hold_no_placeable_postcode(
    settings: Settings, lookup: pd.DataFrame
) -> None:
    placed = lookup[lookup["placeable"]]
    polygon_sectors = set(sectors(settings)["area_code"])
    assert set(placed["sector"]) == polygon_sectors
    assert set(placed["district"]) == set(districts(settings)["area_code"])
    assert set(placed["ward_code"]) == set(wards(settings)["area_code"])
    in_lookup = set(lookup["sector"]) - polygon_sectors
    assert in_lookup == SECTORS_WITHOUT_POLYGON
    assert not lookup.loc[lookup["sector"].isin(in_lookup), "placeable"].any()


def test_real_postcode_places_to_sector_district_ward_and_cells(
    lookup: pd.DataFrame, source: pd.DataFrame
) -> None:
    row = source.set_index("postcode").loc["B23 6AB"]
    place = place_postcode(" b23  6ab", lookup)
    assert isinstance(place, PostcodePlace)
    assert (place.unit, place.sector, place.district) == ("B23 6AB", "B23 6", "B23")
    assert place.ward_code == row["ward_code"]
    assert place.placeable
    assert place.lat == pytest.approx(row["lat"]) and place.lon == pytest.approx(row["lon"])
    assert place.h3r7 == h3.latlng_to_cell(row["lat"], row["lon"], 7)
    assert place.h3r8 == h3.latlng_to_cell(row["lat"], row["lon"], 8)
    assert h3.cell_to_parent(place.h3r8, 7) == place.h3r7


def test_out_of_area_postcode_is_outside_area(settings: Settings, lookup: pd.DataFrame) -> None:
    area = pd.read_csv(settings.geography_dir / "b_area_postcodes.csv")
    outside = area.loc[area["in_birmingham"] == 0, "postcode"].iloc[:50]
    for raw in outside:
        result = place_postcode(raw.lower(), lookup)
        assert isinstance(result, InvalidPostcode)
        assert result.reason == "outside_area"
        assert raw in result.message


def test_place_postcode_passes_on_missing_and_malformed(lookup: pd.DataFrame) -> None:
    assert place_postcode(None, lookup).reason == "missing"  # type: ignore[union-attr]
    assert place_postcode("B23 6A", lookup).reason == "malformed"  # type: ignore[union-attr]


def test_mail_centre_postcode_is_known_but_not_placeable(lookup: pd.DataFrame) -> None:
    code = lookup.loc[~lookup["placeable"], "postcode"].iloc[0]
    place = place_postcode(code, lookup)
    assert isinstance(place, PostcodePlace)
    assert not place.placeable
    assert place.ward_code is None and place.h3r8 is None and place.lat is None


def test_cells_for_matches_cell_for(lookup: pd.DataFrame) -> None:
    placed = lookup[lookup["placeable"]].iloc[::7]
    lat, lon = placed["lat"].to_numpy(), placed["lon"].to_numpy()
    for res in H3_RESOLUTIONS:
        vector = cells_for(lat, lon, res)
        assert list(vector) == [cell_for(a, b, res) for a, b in zip(lat, lon, strict=True)]
        assert list(vector) == placed[f"h3r{res}"].tolist()


def test_cells_for_gives_none_without_coordinates() -> None:
    out = cells_for(np.array([52.5, np.nan, 52.5]), np.array([-1.9, -1.9, np.inf]), 8)
    assert out[0] == h3.latlng_to_cell(52.5, -1.9, 8)
    assert out[1] is None and out[2] is None
    with pytest.raises(ValueError):
        cell_for(float("nan"), -1.9, 8)
    with pytest.raises(ValueError):
        cells_for(np.array([52.5]), np.array([-1.9]), 16)


def test_hexagons_hold_every_placeable_postcode(settings: Settings, lookup: pd.DataFrame) -> None:
    placed = lookup[lookup["placeable"]]
    for res in H3_RESOLUTIONS:
        cells = hexagons(settings, res)
        assert cells.crs.to_epsg() == 4326
        assert set(cells["area_code"]) == set(placed[f"h3r{res}"])
        assert cells.geometry.is_valid.all()
        assert cells["area_name"].str.contains(" hexagon ").all()
