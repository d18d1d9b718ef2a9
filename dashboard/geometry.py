"""Browser geometry: served once per level as a cacheable file, never inside a figure.

Figures name their geometry by URL; Plotly fetches it once per page and keeps it, and the
browser's HTTP cache keeps it across visits (the URL carries a version, so a rebuilt file gets a
new URL). The server reads the same files for the map's centre and zoom.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import flask
import shapely
import shapely.geometry

from care_atlas.config import Settings
from layers.area_map import MapView, view_for_bounds

ROUTE = "/geometry/<level>.geojson"
#: Browsers may keep a versioned geometry file for a day without asking again.
MAX_AGE_SECONDS = 86_400

Bounds = tuple[float, float, float, float]


def _bounds(corners: Iterable[tuple[float, float]]) -> Bounds | None:
    xs, ys = [], []
    for x, y in corners:
        xs.append(x)
        ys.append(y)
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def _feature_shapes(collection: dict) -> dict[str, shapely.Geometry]:
    """Each feature's shape by id (the same shapes the browser draws)."""
    return {
        str(f.get("id", "")): shapely.geometry.shape(f["geometry"])
        for f in collection.get("features", [])
        if f.get("geometry")
    }


def _feature_bounds(shapes: dict[str, shapely.Geometry]) -> dict[str, Bounds]:
    """Each feature's bounds by id, computed by shapely in one vectorised call."""
    boxes = shapely.bounds(list(shapes.values()))
    return {
        code: (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
        for code, b in zip(shapes, boxes, strict=True)
        if not any(math.isnan(v) for v in b)
    }


def _collection(geometry: shapely.Geometry | None) -> dict | None:
    if geometry is None or geometry.is_empty:
        return None
    feature = {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(geometry)}
    return {"type": "FeatureCollection", "features": [feature]}


class GeometryStore:
    """The browser GeoJSON files of every level, their URLs and their areas' bounds."""

    def __init__(self, settings: Settings) -> None:
        from boundaries.browser_geometry import (
            LEVELS,
            ensure_browser_geometry,
            load_browser_geometry,
        )

        self.settings = settings
        built = ensure_browser_geometry(settings)
        self.paths: dict[str, Path] = {k: Path(v) for k, v in built.items() if k in LEVELS}
        stamp = max((p.stat().st_mtime_ns for p in self.paths.values() if p.exists()), default=0)
        self.version = format(stamp % (1 << 40), "x")
        # Every area's bounds, for the map's centre and zoom: read when a worker starts (about
        # 30 ms), not on its first visitor's map, where it held the GIL against the other views.
        self._shapes: dict[str, dict[str, shapely.Geometry]] = {
            level: _feature_shapes(load_browser_geometry(settings, level)) for level in self.paths
        }
        self._boxes: dict[str, dict[str, Bounds]] = {
            level: _feature_bounds(shapes) for level, shapes in self._shapes.items()
        }

    def url(self, level: str) -> str | None:
        if level not in self.paths:
            return None
        return f"/geometry/{level}.geojson?v={self.version}"

    def bounds(self, level: str, codes: Iterable[str] | None = None) -> Bounds | None:
        """Union of the bounds of ``codes`` at ``level`` (all its areas when codes is None)."""
        boxes = self._boxes.get(level, {})
        chosen = boxes.values() if codes is None else [boxes[c] for c in codes if c in boxes]
        corners = [(b[0], b[1]) for b in chosen] + [(b[2], b[3]) for b in chosen]
        return _bounds(corners)

    def outline(self, level: str, codes: Iterable[str]) -> dict | None:
        """The outer edge of some areas dissolved into one (GeoJSON), drawn from the very
        shapes the map fills, so a drilled parent's outline meets its parts exactly."""
        shapes = self._shapes.get(level, {})
        chosen = [shapes[c] for c in codes if c in shapes]
        if not chosen:
            return None
        return _collection(shapely.union_all(shapely.make_valid(chosen)))

    def view(self, level: str, codes: Iterable[str] | None = None) -> MapView:
        """Centre and zoom on some areas, else on the whole council area."""
        box = self.bounds(level, codes) or self.bounds("boundary") or self.bounds("ward")
        return view_for_bounds(box or (-2.04, 52.38, -1.72, 52.61))

    def register(self, server: flask.Flask) -> None:
        """Serve each level's file with long-lived caching headers."""

        def geometry(level: str) -> flask.Response:
            path = self.paths.get(level)
            if path is None or not path.is_file():
                flask.abort(404)
            response = flask.send_file(
                path, mimetype="application/json", max_age=MAX_AGE_SECONDS, conditional=True
            )
            return response

        server.add_url_rule(ROUTE, "care_atlas_geometry", geometry)
