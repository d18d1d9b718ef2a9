"""A council pointing Care Atlas at its own files hears exactly which file or field is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from boundaries.areas import area_table
from boundaries.browser_geometry import write_browser_geometry
from boundaries.geography import local_authority, wards
from boundaries.lookup import postcode_lookup
from boundaries.population import area_population
from boundaries.sources import GeographyError
from care_atlas.cli import main
from care_atlas.config import Settings, load_settings

POSTCODES = "birmingham_postcodes.csv"
WARDS = "birmingham_wards_2024.geojson"
POPULATION = "population_mid2020_ward_bands.csv"


@pytest.fixture
def geography(tmp_path: Path) -> Path:
    """Symlinks to the shared files; a test replaces the one it breaks with a real file."""
    folder = tmp_path / "geo"
    folder.mkdir()
    for path in load_settings().geography_dir.iterdir():
        (folder / path.name).symlink_to(path)
    return folder


def _settings(folder: Path, lad_code: str = "E08000025") -> Settings:
    return Settings(geography_dir=folder, var_dir=folder.parent / "var", lad_code=lad_code)


def _drop_csv_column(path: Path, column: str) -> None:
    table = pd.read_csv(path, dtype=str)
    path.unlink()
    table.drop(columns=[column]).to_csv(path, index=False)


def _drop_geojson_property(path: Path, name: str) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    for feature in data["features"]:
        feature["properties"].pop(name)
    path.unlink()
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "call"),
    [
        (POSTCODES, postcode_lookup),
        (WARDS, wards),
        (POPULATION, area_population),
        ("birmingham_postcode_sectors_derived.geojson", area_table),
        ("birmingham_boundary.geojson", write_browser_geometry),
    ],
)
def test_missing_file_is_named(geography: Path, name: str, call) -> None:
    (geography / name).unlink()
    with pytest.raises(GeographyError, match=name.replace(".", r"\.")):
        call(_settings(geography))


def test_missing_csv_field_is_named(geography: Path) -> None:
    _drop_csv_column(geography / POSTCODES, "shared_multi_sector")
    with pytest.raises(GeographyError, match="shared_multi_sector") as info:
        postcode_lookup(_settings(geography))
    assert POSTCODES in str(info.value)


def test_missing_population_band_is_named(geography: Path) -> None:
    _drop_csv_column(geography / POPULATION, "age_65_plus")
    with pytest.raises(GeographyError, match="age_65_plus"):
        area_population(_settings(geography))


def test_missing_geojson_field_is_named(geography: Path) -> None:
    _drop_geojson_property(geography / WARDS, "ward_name")
    with pytest.raises(GeographyError, match="ward_name") as info:
        wards(_settings(geography))
    assert WARDS in str(info.value)


def test_wrong_local_authority_code_is_explained(geography: Path) -> None:
    with pytest.raises(GeographyError, match="CARE_ATLAS_LAD_CODE"):
        local_authority(_settings(geography, lad_code="E09000001"))


def test_cli_writes_geometry_and_reports_sizes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    geography = load_settings().geography_dir
    assert main(["geometry", "--geography-dir", str(geography), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "ward.geojson" in printed and "KB" in printed and "wards + sectors" in printed
    assert (out / "manifest.json").is_file() and (out / "sector.geojson").is_file()


@pytest.mark.parametrize("broken", ["missing_folder", "missing_file", "missing_field"])
def test_cli_errors_are_one_line(
    geography: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], broken: str
) -> None:
    folder = geography
    if broken == "missing_folder":
        folder = tmp_path / "nowhere"
    elif broken == "missing_file":
        (geography / WARDS).unlink()
    else:
        _drop_csv_column(geography / POSTCODES, "lat")
    code = main(["geometry", "--geography-dir", str(folder), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("care-atlas geometry: ")
    expected = {"missing_folder": "nowhere", "missing_file": WARDS, "missing_field": "lat"}
    assert expected[broken] in err
