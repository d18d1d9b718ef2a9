"""The map's centre and zoom come from each area's bounds, read when the store is made."""

from __future__ import annotations

from care_atlas.config import load_settings
from dashboard.geometry import GeometryStore


def test_area_bounds_nest_inside_the_city_and_zoom_the_map_in() -> None:
    store = GeometryStore(load_settings())
    city = store.bounds("boundary")
    assert city is not None
    ward = next(iter(store._boxes["ward"]))
    box = store.bounds("ward", [ward])
    assert box is not None and box[0] < box[2] and box[1] < box[3]
    assert city[0] - 1e-9 <= box[0] and box[2] <= city[2] + 1e-9
    assert city[1] - 1e-9 <= box[1] and box[3] <= city[3] + 1e-9
    assert store.view("ward", [ward]).zoom > store.view("boundary").zoom
    assert store.bounds("ward", ["no-such-ward"]) is None
    assert len(store._boxes["ward"]) == 69  # Birmingham's wards, every one with a shape
