"""Population by area and the areas table: totals reconcile across levels."""

from __future__ import annotations

import pandas as pd
import pytest

from boundaries.areas import AREA_COLUMNS, area_table
from boundaries.geography import sectors
from boundaries.population import AGE_BANDS, LEVELS, area_population
from care_atlas.config import Settings, load_settings


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="module")
def population(settings: Settings) -> pd.DataFrame:
    return area_population(settings)


@pytest.fixture(scope="module")
def areas(settings: Settings) -> pd.DataFrame:
    return area_table(settings)


def _sums(population: pd.DataFrame) -> pd.DataFrame:
    return population.groupby(["level", "age_band"])["population"].sum().unstack()


def test_population_shape(population: pd.DataFrame, settings: Settings) -> None:
    assert list(population.columns) == ["level", "area_code", "age_band", "population"]
    assert set(population["level"]) == set(LEVELS)
    assert set(population["age_band"]) == set(AGE_BANDS)
    assert set(AGE_BANDS) == {"0-10", "11-24", "25-64", "65+", "All"}
    city = population[population["level"] == "city"]
    assert set(city["area_code"]) == {settings.lad_code}
    per_area = population.groupby(["level", "area_code"]).size()
    assert (per_area == len(AGE_BANDS)).all()
    assert (population["population"] >= 0).all()


def test_ward_sum_is_the_source_city_total(population: pd.DataFrame, settings: Settings) -> None:
    source = pd.read_csv(settings.geography_dir / "population_mid2020_ward_bands.csv")
    sums = _sums(population)
    assert sums.loc["ward", "All"] == pytest.approx(source["total"].sum(), abs=0.5)
    assert sums.loc["ward", "All"] == pytest.approx(1_140_524, abs=1)  # SOURCES.md
    assert sums.loc["city"].to_dict() == pytest.approx(sums.loc["ward"].to_dict(), abs=0.5)
    bands = sums.loc["ward", ["0-10", "11-24", "25-64", "65+"]].sum()
    assert bands == pytest.approx(sums.loc["ward", "All"], abs=2 * len(source))  # rounding


@pytest.mark.parametrize("level", ["district", "sector", "h3r7", "h3r8"])
def test_apportioned_levels_sum_to_the_wards(population: pd.DataFrame, level: str) -> None:
    sums = _sums(population)
    for band in AGE_BANDS:
        assert sums.loc[level, band] == pytest.approx(sums.loc["ward", band], rel=0.005)


def test_area_table_levels_and_columns(areas: pd.DataFrame, settings: Settings) -> None:
    assert tuple(areas.columns) == AREA_COLUMNS
    counts = areas.groupby("level").size().to_dict()
    assert counts["city"] == 1 and counts["ward"] == 69
    assert counts["district"] == 50 and counts["sector"] == 133
    assert counts["h3r7"] > 50 and counts["h3r8"] > counts["h3r7"]
    assert not areas.duplicated(["level", "area_code"]).any()
    assert set(areas.loc[areas["level"] == "sector", "area_code"]) == set(
        sectors(settings)["area_code"]
    )


def test_area_table_parents_and_districts(areas: pd.DataFrame) -> None:
    wards = areas[areas["level"] == "ward"]
    assert (wards["parent_ward_code"] == wards["area_code"]).all()
    ward_codes = set(wards["area_code"])
    below = areas[~areas["level"].isin(["city", "ward"])]
    assert below["parent_ward_code"].isin(ward_codes).all()
    sector_rows = areas[areas["level"] == "sector"]
    assert (sector_rows["district"] == sector_rows["area_code"].str.split(" ").str[0]).all()
    assert areas.loc[areas["level"] != "sector", "district"].isna().all()
    b23_6 = sector_rows.set_index("area_code").loc["B23 6"]
    assert b23_6["parent_ward_code"].startswith("E05")


def test_area_table_population_is_all_ages(areas: pd.DataFrame, population: pd.DataFrame) -> None:
    everyone = population[population["age_band"] == "All"].set_index(["level", "area_code"])
    joined = areas.join(everyone["population"].rename("expected"), on=["level", "area_code"])
    assert (joined["population"] == joined["expected"]).all()
    assert (areas["population"] > 0).all()
