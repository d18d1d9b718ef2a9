"""Browser geometry: served once per level as a cacheable file, never inside a figure.

Figures name their geometry by URL; Plotly fetches it once per page and keeps it, and the
browser's HTTP cache keeps it across visits (the URL carries a version, so a rebuilt file gets a
new URL). The server reads the same files for the map's centre and zoom.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path

import flask

from care_atlas.config import Settings
from layers.area_map import MapView, view_for_bounds

ROUTE = "/geometry/<level>.geojson"
#: Browsers may keep a versioned geometry file for a day without asking again.
MAX_AGE_SECONDS = 86_400

Bounds = tuple[float, float, float, float]


def _coordinates(geometry: dict) -> Iterator[tuple[float, float]]:
    def walk(node: object) -> Iterator[tuple[float, float]]:
        if isinstance(node, list | tuple) and node and isinstance(node[0], int | float):
            yield float(node[0]), float(node[1])
        elif isinstance(node, list | tuple):
            for child in node:
                yield from walk(child)

    yield from walk(geometry.get("coordinates", []))


def _bounds(points: Iterable[tuple[float, float]]) -> Bounds | None:
    xs, ys = [], []
    for x, y in points:
        xs.append(x)
        ys.append(y)
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


class GeometryStore:
    """The browser GeoJSON files of every level, their URLs and their areas' bounds."""

    def __init__(self, settings: Settings) -> None:
        from boundaries.browser_geometry import LEVELS, ensure_browser_geometry

        self.settings = settings
        built = ensure_browser_geometry(settings)
        self.paths: dict[str, Path] = {k: Path(v) for k, v in built.items() if k in LEVELS}
        stamp = max((p.stat().st_mtime_ns for p in self.paths.values() if p.exists()), default=0)
        self.version = format(stamp % (1 << 40), "x")

    def url(self, level: str) -> str | None:
        if level not in self.paths:
            return None
        return f"/geometry/{level}.geojson?v={self.version}"

    @cached_property
    def _feature_bounds(self) -> dict[str, dict[str, Bounds]]:
        from boundaries.browser_geometry import load_browser_geometry

        out: dict[str, dict[str, Bounds]] = {}
        for level in self.paths:
            collection = load_browser_geometry(self.settings, level)
            level_bounds: dict[str, Bounds] = {}
            for feature in collection.get("features", []):
                box = _bounds(_coordinates(feature.get("geometry") or {}))
                if box is not None:
                    level_bounds[str(feature.get("id", ""))] = box
            out[level] = level_bounds
        return out

    def bounds(self, level: str, codes: Iterable[str] | None = None) -> Bounds | None:
        """Union of the bounds of ``codes`` at ``level`` (all its areas when codes is None)."""
        boxes = self._feature_bounds.get(level, {})
        chosen = boxes.values() if codes is None else [boxes[c] for c in codes if c in boxes]
        corners = [(b[0], b[1]) for b in chosen] + [(b[2], b[3]) for b in chosen]
        return _bounds(corners)

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
