"""Browser GeoJSON: complete, valid, small, stable ids, and rebuilt only when sources change."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape

from boundaries.browser_geometry import (
    COORDINATE_DECIMALS,
    LEVELS,
    ensure_browser_geometry,
    load_browser_geometry,
    write_browser_geometry,
)
from care_atlas.config import DEFAULT_GEOGRAPHY_DIR, Settings, load_settings


def _linked_geography(folder: Path) -> Path:
    """A geography folder of symlinks to the shared files: cheap, and any one file can be
    replaced by a changed copy without touching the shared data."""
    folder.mkdir(parents=True)
    for path in load_settings().geography_dir.iterdir():
        (folder / path.name).symlink_to(path)
    return folder


def _replace_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.unlink()
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    var = tmp_path_factory.mktemp("var")
    return Settings(geography_dir=load_settings().geography_dir, var_dir=var)


@pytest.fixture(scope="module")
def written(settings: Settings) -> dict[str, Path]:
    return write_browser_geometry(settings)


@pytest.fixture(scope="module")
def collections(written: dict[str, Path]) -> dict[str, dict]:
    return {level: json.loads(written[level].read_text(encoding="utf-8")) for level in LEVELS}


def test_every_level_written(written: dict[str, Path], settings: Settings) -> None:
    assert set(written) == {*LEVELS, "attribution", "manifest"}
    assert all(path.parent == settings.geometry_dir for path in written.values())
    assert DEFAULT_GEOGRAPHY_DIR.name == "data"


def test_all_69_wards_survive_simplification(collections: dict[str, dict]) -> None:
    ids = [feature["id"] for feature in collections["ward"]["features"]]
    assert len(ids) == len(set(ids)) == 69
    assert all(code.startswith("E05") for code in ids)
    assert len(collections["sector"]["features"]) == 133
    assert len(collections["district"]["features"]) == 50
    assert len(collections["boundary"]["features"]) == 1


@pytest.mark.parametrize("level", LEVELS)
def test_features_valid_non_empty_with_stable_ids(collections: dict[str, dict], level: str) -> None:
    features = collections[level]["features"]
    assert features
    for feature in features:
        assert feature["id"] == feature["properties"]["area_code"]
        assert feature["properties"]["area_name"]
        geometry = shape(feature["geometry"])
        assert geometry.is_valid, feature["id"]
        assert not geometry.is_empty and geometry.area > 0, feature["id"]


@pytest.mark.parametrize("level", ["ward", "district", "sector", "h3r8"])
def test_levels_remain_gap_free_coverages(collections: dict[str, dict], level: str) -> None:
    geometries = [shape(f["geometry"]) for f in collections[level]["features"]]
    assert shapely.coverage_is_valid(geometries)


def test_coordinates_rounded(collections: dict[str, dict]) -> None:
    def numbers(value: object) -> list[float]:
        if isinstance(value, float | int):
            return [float(value)]
        return [n for item in value for n in numbers(item)]  # type: ignore[union-attr]

    coords = numbers(collections["sector"]["features"][0]["geometry"]["coordinates"])
    assert all(round(c, COORDINATE_DECIMALS) == c for c in coords)


def test_wards_and_sectors_under_budget(written: dict[str, Path]) -> None:
    assert written["ward"].stat().st_size + written["sector"].stat().st_size < 1.5 * 1024 * 1024


def test_boundary_and_sector_outline_match_the_city(collections: dict[str, dict]) -> None:
    city = shape(collections["boundary"]["features"][0]["geometry"])
    wards = shapely.union_all([shape(f["geometry"]) for f in collections["ward"]["features"]])
    assert city.symmetric_difference(wards).area / city.area < 1e-6
    sectors = shapely.union_all([shape(f["geometry"]) for f in collections["sector"]["features"]])
    assert sectors.symmetric_difference(city).area / city.area < 0.002


def test_attribution_and_manifest(written: dict[str, Path], settings: Settings) -> None:
    attribution = json.loads(written["attribution"].read_text(encoding="utf-8"))
    assert "Crown copyright" in attribution["attribution"]
    assert "derived" in attribution["derived"]
    manifest = json.loads(written["manifest"].read_text(encoding="utf-8"))
    for name, digest in manifest["sources"].items():
        path = settings.geography_dir / name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert "birmingham_wards_2024.geojson" in manifest["sources"]
    for level in LEVELS:
        entry = manifest["outputs"][level]
        assert entry["bytes"] == written[level].stat().st_size


def test_ensure_skips_when_up_to_date(written: dict[str, Path], settings: Settings) -> None:
    before = {name: path.stat().st_mtime_ns for name, path in written.items()}
    again = ensure_browser_geometry(settings)
    assert again == written
    assert {name: path.stat().st_mtime_ns for name, path in again.items()} == before


def test_load_browser_geometry(written: dict[str, Path], settings: Settings) -> None:
    wards = load_browser_geometry(settings, "ward")
    assert wards["type"] == "FeatureCollection" and len(wards["features"]) == 69
    assert load_browser_geometry(settings, "ward") is wards
    with pytest.raises(ValueError, match="unknown geometry level"):
        load_browser_geometry(settings, "county")


def test_ensure_rebuilds_when_geography_or_output_changes(tmp_path: Path) -> None:
    geography = _linked_geography(tmp_path / "geo")
    settings = Settings(geography_dir=geography, var_dir=tmp_path / "var")
    first = ensure_browser_geometry(settings)
    assert "Acocks Green" in first["ward"].read_text(encoding="utf-8")

    _replace_text(geography / "birmingham_wards_2024.geojson", "Acocks Green", "Acocks Grove")
    second = ensure_browser_geometry(settings)
    assert "Acocks Grove" in second["ward"].read_text(encoding="utf-8")

    second["sector"].write_text("{}", encoding="utf-8")  # a damaged output is rebuilt too
    third = ensure_browser_geometry(settings)
    assert len(json.loads(third["sector"].read_text(encoding="utf-8"))["features"]) == 133
