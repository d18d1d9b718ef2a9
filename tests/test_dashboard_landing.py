"""The landing page's pieces without a browser: headline words, the significance map, the
drilled map's frame, outline, colour range and selection, and the area search."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest
import shapely.geometry

from care_atlas.config import load_settings
from dashboard.area_search import area_label, options_for, postcode_sector, state_for_choice
from dashboard.choices import choices_from_reference
from dashboard.geometry import GeometryStore
from dashboard.headlines import change_words, render_headlines
from dashboard.map_views import render_map
from dashboard.views import Context
from layers.significance_map import SUPPRESSED_LABEL, class_counts


@pytest.fixture(scope="module")
def context(queries_db) -> Context:  # noqa: ANN001
    return Context(
        db=queries_db,
        choices=choices_from_reference(queries_db.reference),
        geometry=GeometryStore(load_settings()),
    )


@pytest.fixture(scope="module")
def ward(context: Context) -> str:
    """A ward with at least three postcode sectors."""
    parts = context.db.reference.area_parts
    return next(
        code
        for code in context.db.reference.areas["ward"]
        if len(parts.get(code, {}).get("sector", ())) >= 3
    )


def test_change_words_say_the_direction_and_never_show_a_suppressed_change() -> None:
    row = {
        "previous_period": "2014",
        "people_direction": "up",
        "people_change": 190,
        "people_change_ratio": 0.0669,
    }
    assert change_words(row, "people", "count") == ("▲", "up 190 (+6.7%) on 2014")
    row.update(people_direction="down", people_change=-1_200_000, people_change_ratio=-0.05)
    assert change_words(row, "people", "money") == ("▼", "down £1.20m (-5.0%) on 2014")
    row.update(people_direction="", people_change=None)
    assert "suppressed [c]" in change_words(row, "people", "count")[1]
    assert change_words({"previous_period": ""}, "people", "count")[1].startswith("no earlier")


def test_headline_tiles_hold_the_view_figures(context: Context) -> None:
    tiles, heading = render_headlines(context, {"from": "2012", "to": "2014"})
    assert heading == "Headline figures for Birmingham (whole city)"
    text = [str(t.children[1].children) for t in tiles]
    assert len(tiles) == 3 and all(t for t in text)
    changes = [t.children[2].children[1] for t in tiles]
    assert all(c.endswith("on 2013") for c in changes), changes


def test_significance_map_lists_every_class_in_words_and_suppressed_apart(
    context: Context,
) -> None:
    figure, key, note, summary = render_map(context, {"level": "ward"}, None)
    go.Figure(figure.to_plotly_json())  # every property valid
    names = [trace.name for trace in figure.data]
    assert any(n.startswith("Higher than the city (significant at 99.8%)") for n in names)
    assert any(n.startswith("Similar to the city") for n in names)
    assert any(n.startswith(SUPPRESSED_LABEL) for n in names)
    assert summary.startswith("2001 to 2015. Of 69 wards:")  # the period the filter chose
    assert any(line.startswith("Method: Byar") for line in note)
    hover = " ".join(t for trace in figure.data for t in trace.text or ())
    assert "ward (E05" in hover  # names with codes


def test_class_counts_cover_every_area() -> None:
    rows = pd.DataFrame(
        {
            "comparison": ["higher", "similar", "lower", ""],
            "comparison_998": ["higher", "similar", "similar", ""],
            "value_status": ["", "", "", "[c]"],
        }
    )
    counts = class_counts(rows)
    assert counts["higher_998"] == 1 and counts["similar"] == 1 and counts["lower_95"] == 1
    assert counts["withheld"] == 1 and sum(counts.values()) == 4


@pytest.mark.parametrize("mode", ["compare", "counts"])
def test_drilled_map_frames_the_parts_outlines_the_parent_and_marks_the_selection(
    context: Context, ward: str, mode: str
) -> None:
    sectors = list(context.db.reference.area_parts[ward]["sector"])
    state = {"level": "sector", "within": ward, "areas": sectors[0], "map": mode}
    figure, _key, _note, _ = render_map(context, state, None)
    go.Figure(figure.to_plotly_json())
    layers = {layer.name: layer for layer in figure.layout.map.layers}
    outline = shapely.geometry.shape(layers["outline"].source["features"][0]["geometry"])
    store = context.geometry
    parts = [shapely.geometry.shape(_feature(store, "sector", c)) for c in sectors]
    # The parent's outline is the union of the very sector shapes the map fills.
    assert outline.symmetric_difference(shapely.union_all(parts)).area < 1e-9
    selected = shapely.geometry.shape(layers["selected"].source["features"][0]["geometry"])
    assert selected.equals(parts[0])
    # The frame holds every sector whole: zoomed in on them, centred inside their bounds.
    view = figure.layout.map
    box = store.bounds("sector", sectors)
    assert box[0] < view.center.lon < box[2] and box[1] < view.center.lat < box[3]
    assert view.zoom > store.view("boundary").zoom


def _feature(store: GeometryStore, level: str, code: str) -> dict:
    return shapely.geometry.mapping(store._shapes[level][code])


def test_drilled_counts_map_keeps_the_city_wide_colour_range(context: Context, ward: str) -> None:
    state = {"level": "sector", "within": ward, "map": "counts"}
    figure, *_ = render_map(context, state, None)
    whole, *_ = render_map(context, {"level": "sector", "map": "counts"}, None)
    assert figure.data[0].zmin == 0
    assert figure.data[0].zmax == max(whole.data[0].z)


def test_area_labels_and_search_options_name_and_code(context: Context, ward: str) -> None:
    ref = context.db.reference
    assert area_label(ref, "ward", ward) == f"{ref.areas['ward'][ward].name} ward ({ward})"
    sector = ref.area_parts[ward]["sector"][0]
    parent = ref.areas["ward"][ref.areas["sector"][sector].parent_ward_code].name
    assert area_label(ref, "sector", sector) == f"{sector} {parent}"
    values = {o["value"] for o in options_for(None, ref)}
    assert f"ward:{ward}" in values and f"sector:{sector}" in values


def test_a_typed_postcode_resolves_to_its_sector_and_is_never_echoed(
    context: Context, ward: str
) -> None:
    ref = context.db.reference
    sector = ref.area_parts[ward]["sector"][0]
    typed = f"{sector.replace(' ', '').lower()}ab"  # "b276ab": no space, lower case
    assert postcode_sector(typed, ref) == (f"{sector}AB", sector)
    first = options_for(typed, ref)[0]
    assert first["value"] == f"sector:{sector}" and first["label"].startswith(f"{sector}AB: in")
    for bad in ("<b>B27 6AB</b>", "ZZ9 9ZZ", "B27 6AB' OR 1=1", 42, None):
        assert postcode_sector(bad, ref) is None
        assert all("<" not in o["label"] for o in options_for(bad, ref))


def test_choosing_an_area_drills_there(context: Context, ward: str) -> None:
    ref = context.db.reference
    base = {"from": "2014", "to": "2014", "level": "ward"}
    assert state_for_choice(base, f"ward:{ward}", ref) == {
        "from": "2014",
        "to": "2014",
        "level": "sector",
        "within": ward,
    }
    sector = ref.area_parts[ward]["sector"][0]
    chosen = state_for_choice(base, f"sector:{sector}", ref)
    assert chosen["areas"] == sector and chosen["within"] == ref.areas["sector"][sector].district
    assert state_for_choice(base, "ward:<script>", ref) == base
    assert state_for_choice(base, ["ward", ward], ref) == base


def test_a_viewer_is_offered_wards_and_districts_and_a_postcode_its_district(
    context: Context, ward: str
) -> None:
    ref = context.db.reference
    sector = ref.area_parts[ward]["sector"][0]
    options = options_for(f"{sector}AB", ref, ("city", "ward", "district"))
    assert not any(o["value"].startswith("sector:") for o in options)
    district = ref.areas["sector"][sector].district
    assert options[0]["value"] == f"district:{district}"


def test_hexagons_keep_the_drill_with_the_parents_own_boundary_dashed(
    context: Context, ward: str
) -> None:
    figure, *_ = render_map(context, {"level": "h3r8", "within": ward}, None)
    go.Figure(figure.to_plotly_json())
    layers = {layer.name: layer for layer in figure.layout.map.layers}
    hexes = set(context.db.reference.area_parts[ward]["h3r8"])
    assert {loc for trace in figure.data for loc in trace.locations} == hexes
    edge = shapely.geometry.shape(layers["parent boundary"].source["features"][0]["geometry"])
    assert edge.equals(context.geometry._shapes["ward"][ward])
    assert layers["parent boundary"].line.dash


def test_counts_map_tooltips_name_each_area_with_its_code_once(context: Context) -> None:
    figure, *_ = render_map(context, {"level": "ward", "map": "counts"}, None)
    labels = [row[0] for trace in figure.data for row in trace.customdata]
    assert labels and all(label.count("(E05") == 1 for label in labels), labels[:3]
    assert all(" ward (E05" in label for label in labels)
