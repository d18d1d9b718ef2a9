"""The GeoJSON the dashboard sends to browsers: one small file per map level, built once.

Each level is simplified as a coverage (``shapely.coverage_simplify`` in British National Grid
metres), so neighbouring areas keep exactly the same shared edge and the map shows no gaps or
overlaps. Coordinates are then snapped to 5 decimal places of a degree (1.1 m north-south, 0.7 m
east-west at Birmingham's latitude): finer than a screen pixel at street zoom (about 1.2 m at
zoom 17) and far finer than the 10 m simplification, while 6 places would add a byte per number
for nothing and 4 places (11 m) would visibly shift vertices and could break validity. The
snapping is done with ``shapely.set_precision``, which keeps every polygon valid.

A manifest records the sha256 of every source file, the code and the parameters that made the
outputs, so :func:`ensure_browser_geometry` rebuilds only when something changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import mapping

from boundaries import sources
from boundaries.geography import BRITISH_NATIONAL_GRID, WGS84, districts, local_authority
from boundaries.geography import sectors as sector_polygons
from boundaries.geography import wards as ward_polygons
from boundaries.hexagons import H3_RESOLUTIONS, hexagons
from boundaries.sources import GeographyError
from care_atlas.config import Settings

#: Coverage simplification tolerance in metres. The wards are ONS BGC (already generalised to
#: 20 m) and the derived sectors were simplified at 10 m, so 10 m removes redundant vertices
#: without moving a boundary off the street a resident would recognise.
SIMPLIFY_METRES = 10.0
#: Decimal places kept in coordinates (see the module docstring).
COORDINATE_DECIMALS = 5
COVERAGE_LEVELS: tuple[str, ...] = ("ward", "district", "sector")
HEXAGON_LEVELS: tuple[str, ...] = tuple(f"h3r{r}" for r in H3_RESOLUTIONS)
LEVELS: tuple[str, ...] = (*COVERAGE_LEVELS, *HEXAGON_LEVELS, "boundary")
MANIFEST = "manifest.json"
ATTRIBUTION = "attribution.json"
#: Files whose content decides the outputs (the postcodes decide which hexagons exist).
SOURCE_FILES: tuple[sources.SourceFile, ...] = (
    sources.WARDS,
    sources.BOUNDARY,
    sources.DISTRICTS,
    sources.SECTORS,
    sources.POSTCODES,
)
_CODE_FILES = ("browser_geometry.py", "geography.py", "hexagons.py", "lookup.py", "postcodes.py")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _code_version() -> str:
    """A hash of the code that shapes the outputs, so a code change also forces a rebuild."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in _CODE_FILES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def _source_hashes(settings: Settings) -> dict[str, str]:
    hashes = {}
    for source in SOURCE_FILES:
        path = settings.geography_dir / source.name
        if not path.is_file():
            raise GeographyError(
                f"geography file missing: {path} ({source.what}). Set CARE_ATLAS_GEOGRAPHY_DIR "
                "to the folder that holds it."
            )
        hashes[source.name] = _sha256(path)
    note = settings.geography_dir / sources.SOURCES_NOTE
    if note.is_file():
        hashes[sources.SOURCES_NOTE] = _sha256(note)
    return hashes


def _parameters() -> dict[str, object]:
    return {
        "simplify_metres": SIMPLIFY_METRES,
        "coordinate_decimals": COORDINATE_DECIMALS,
        "levels": list(LEVELS),
        "code_version": _code_version(),
    }


def _snap(geometries: object) -> object:
    return shapely.set_precision(geometries, 10.0**-COORDINATE_DECIMALS)


def _simplified_coverage(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    metric = gdf.to_crs(BRITISH_NATIONAL_GRID)
    simplified = shapely.coverage_simplify(metric.geometry.values, SIMPLIFY_METRES)
    back = gpd.GeoSeries(simplified, crs=BRITISH_NATIONAL_GRID).to_crs(WGS84)
    return gdf.set_geometry(_snap(back.values), crs=WGS84)


def _round(value: object) -> object:
    if isinstance(value, float):
        return round(value, COORDINATE_DECIMALS)
    return [_round(v) for v in value]  # type: ignore[union-attr]


def _feature_collection(gdf: gpd.GeoDataFrame, extra: tuple[str, ...] = ()) -> dict:
    features = []
    for row in gdf.itertuples(index=False):
        geom = mapping(row.geometry)
        geometry = {"type": geom["type"], "coordinates": _round(geom["coordinates"])}
        properties = {"area_code": row.area_code, "area_name": row.area_name}
        properties.update({name: getattr(row, name) for name in extra})
        features.append(
            {"type": "Feature", "id": row.area_code, "properties": properties, "geometry": geometry}
        )
    return {"type": "FeatureCollection", "features": features}


def _check(level: str, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    bad = gdf[~shapely.is_valid(gdf.geometry.values) | shapely.is_empty(gdf.geometry.values)]
    if not bad.empty:
        codes = ", ".join(bad["area_code"].astype(str).head(5))
        raise GeographyError(f"{level}: simplification left invalid or empty areas: {codes}")
    return gdf


def _level_collections(settings: Settings) -> dict[str, dict]:
    ward = _check("ward", _simplified_coverage(ward_polygons(settings)))
    collections = {
        "ward": _feature_collection(ward),
        "district": _feature_collection(
            _check("district", _simplified_coverage(districts(settings)))
        ),
        "sector": _feature_collection(
            _check("sector", _simplified_coverage(sector_polygons(settings))),
            extra=("district",),
        ),
    }
    for res, level in zip(H3_RESOLUTIONS, HEXAGON_LEVELS, strict=True):
        cells = hexagons(settings, res)
        cells = cells.set_geometry(_snap(cells.geometry.values), crs=WGS84)
        collections[level] = _feature_collection(_check(level, cells))
    # The outline is the union of the simplified wards, so it lies exactly on their outer edges.
    outline = local_authority(settings)
    union = _snap(shapely.union_all(ward.geometry.values))
    outline = outline.set_geometry([union], crs=WGS84)
    collections["boundary"] = _feature_collection(_check("boundary", outline))
    return collections


def _write_atomic(path: Path, text: str) -> None:
    """Write beside the target, then rename: a reader never sees half a file, and two server
    workers building at once both end with a complete (identical) file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_browser_geometry(settings: Settings, out_dir: Path | None = None) -> dict[str, Path]:
    """Write ``<level>.geojson`` for every level of :data:`LEVELS`, ``attribution.json`` and
    ``manifest.json`` to ``out_dir`` (default ``settings.geometry_dir``). Returns name -> path
    (levels, "attribution" and "manifest")."""
    target = Path(out_dir) if out_dir is not None else settings.geometry_dir
    source_hashes = _source_hashes(settings)
    collections = _level_collections(settings)
    target.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    outputs: dict[str, dict[str, object]] = {}
    for level, collection in collections.items():
        path = target / f"{level}.geojson"
        text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
        _write_atomic(path, text)
        written[level] = path
        outputs[level] = {
            "file": path.name,
            "features": len(collection["features"]),
            "bytes": len(text.encode("utf-8")),
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        }
    attribution = {
        "attribution": sources.read_attribution(settings),
        "derived": "Postcode sector and district boundaries are derived from OS Code-Point "
        "Open postcode centroids (Voronoi cells clipped to the council boundary); they are "
        "not an official product.",
    }
    attribution_path = target / ATTRIBUTION
    _write_atomic(attribution_path, json.dumps(attribution, indent=2, ensure_ascii=False))
    written["attribution"] = attribution_path
    manifest = {
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "geography_dir": str(settings.geography_dir),
        "lad_code": settings.lad_code,
        "parameters": _parameters(),
        "sources": source_hashes,
        "outputs": outputs,
        "attribution": ATTRIBUTION,
    }
    manifest_path = target / MANIFEST
    _write_atomic(manifest_path, json.dumps(manifest, indent=2))
    written["manifest"] = manifest_path
    return written


def _up_to_date(settings: Settings, target: Path) -> dict[str, Path] | None:
    """The outputs named by the manifest, if they all exist unchanged and were made from the
    current sources, code and parameters; otherwise None."""
    try:
        manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("parameters") != _parameters():
            return None
        if manifest.get("lad_code") != settings.lad_code:
            return None
        if manifest.get("sources") != _source_hashes(settings):
            return None
        paths: dict[str, Path] = {}
        for level in LEVELS:
            entry = manifest["outputs"][level]
            path = target / entry["file"]
            if _sha256(path) != entry["sha256"]:
                return None
            paths[level] = path
        attribution = target / manifest["attribution"]
        if not attribution.is_file():
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    paths["attribution"] = attribution
    paths["manifest"] = target / MANIFEST
    return paths


def ensure_browser_geometry(settings: Settings) -> dict[str, Path]:
    """The browser geometry in ``settings.geometry_dir``, rebuilt only when a source file, the
    code or a parameter changed (or an output is missing or was edited)."""
    current = _up_to_date(settings, settings.geometry_dir)
    if current is not None:
        return current
    return write_browser_geometry(settings)


@lru_cache(maxsize=32)
def _load(settings: Settings, level: str) -> dict:
    paths = ensure_browser_geometry(settings)
    return json.loads(paths[level].read_text(encoding="utf-8"))


def load_browser_geometry(settings: Settings, level: str) -> dict:
    """The parsed GeoJSON FeatureCollection of one level (built if needed, cached per process).

    Shared between callers: do not modify it.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown geometry level {level!r}; expected one of {', '.join(LEVELS)}")
    return _load(settings, level)
