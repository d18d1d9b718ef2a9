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
from dashboard.headlines import change_words, headline_tiles, render_headlines
from dashboard.map_views import LEGEND_TITLE, render_map
from dashboard.views import Context
from layers.hotspots import CLASSES, HIGHER_998, SIMILAR, WITHHELD
from layers.significance_map import (
    SUPPRESSED_LABEL,
    class_colourscale,
    class_counts,
    significance_key,
)


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
    assert change_words(row, "people", "money") == ("▼", "down £1.2m (-5.0%) on 2014")
    row.update(people_direction="", people_change=None)
    assert "suppressed [c]" in change_words(row, "people", "count")[1]
    assert change_words({"previous_period": ""}, "people", "count")[1].startswith("no earlier")


def test_headline_money_shows_the_3_significant_figures_published() -> None:
    """Published cost is rounded to 3 significant figures: the tile says "£25.5m", never
    "£25.50m" (a fourth figure that was never published)."""
    row = {"period": "2015", "people": 3_210, "agreements": 4_100, "cost": 25_500_000}
    tiles = {t.id: str(t.children[1].children) for t in headline_tiles(row)}
    assert tiles["headline-cost"] == "£25.5m"
    assert tiles["headline-people"] == "3,210"


def test_headline_tiles_hold_the_view_figures(context: Context) -> None:
    tiles, heading = render_headlines(context, {"from": "2012", "to": "2014"})
    assert heading == "Headline figures for Birmingham (whole city)"
    text = [str(t.children[1].children) for t in tiles]
    assert len(tiles) == 3 and all(t for t in text)
    changes = [t.children[2].children[1] for t in tiles]
    assert all(c.endswith("on 2013") for c in changes), changes


def test_the_overview_scans_headlines_map_and_trend_with_the_rest_folded(context: Context) -> None:
    """In a meeting the page shows the headlines, the map and the trend; the matrix, the top
    elements and the element compare are closed folds under their titles, each holding its
    whole view (chart, controls, About, downloads, table), so nothing is lost."""
    from dash import html

    from dashboard import ids
    from dashboard.pages.overview import layout

    def walk(node: object) -> list:
        children = getattr(node, "children", None)
        items = children if isinstance(children, list) else [] if children is None else [children]
        return [node, *(n for child in items for n in walk(child))]

    nodes = walk(layout(context))
    folds = {n.id: n for n in nodes if isinstance(n, html.Details) and "fold" in n.className}
    assert set(folds) == {"fold-matrix", "fold-elements", "fold-element_compare"}
    for view, graph in (
        ("matrix", ids.MATRIX_GRAPH),
        ("elements", ids.ELEMENTS_GRAPH),
        ("element_compare", ids.COMPARE_GRAPH),
    ):
        fold = folds[f"fold-{view}"]
        assert not getattr(fold, "open", None)
        inside = [getattr(n, "id", None) for n in walk(fold)]
        for part in (graph, f"title-{view}", ids.note(view), ids.table(view)):
            assert part in inside, (view, part)
    folded = [getattr(n, "id", None) for fold in folds.values() for n in walk(fold)]
    assert not [i for i in (ids.MAP_GRAPH, ids.TREND_GRAPH, ids.HEADLINES) if i in folded]


def test_significance_map_lists_every_class_in_words_and_suppressed_apart(
    context: Context,
) -> None:
    figure, key, note, summary, shown_key = render_map(context, {"level": "ward"}, None)
    go.Figure(figure.to_plotly_json())  # every property valid
    # One trace (each map trace is a redraw of its own in the browser); the key is in the page.
    assert len(figure.data) == 1 and not figure.layout.showlegend
    names = [str(item.children[1]) for item in shown_key[1].children]
    assert shown_key[0].children == LEGEND_TITLE
    assert any(n.startswith("Higher than the city (significant at 99.8%)") for n in names)
    assert any(n.startswith("Similar to the city") for n in names)
    assert any(n.startswith(SUPPRESSED_LABEL) for n in names)
    assert sum(int(n.rsplit("(", 1)[1].rstrip(")")) for n in names) == 69  # every ward once
    assert summary.startswith("2001 to 2015. Of 69 wards:")  # the period the filter chose
    assert any(line.startswith("Method: Byar") for line in note)
    hover = " ".join(figure.data[0].text)
    assert "ward (E05" in hover  # names with codes


def test_each_area_is_filled_with_its_class_colour() -> None:
    rows = pd.DataFrame(
        {
            "area_code": ["A", "B", "C"],
            "comparison": ["higher", "similar", ""],
            "comparison_998": ["higher", "similar", ""],
            "value_status": ["", "", "[c]"],
        }
    )
    scale = class_colourscale()
    zmax = len(CLASSES)
    for z, colour in ((0.5, HIGHER_998.colour), (2.5, SIMILAR.colour), (5.5, WITHHELD.colour)):
        band = [
            c
            for (low, c), (high, _) in zip(scale[::2], scale[1::2], strict=True)
            if low <= z / zmax < high
        ]
        assert band == [colour], (z, band)
    assert significance_key(rows)[0] == (f"{HIGHER_998.label} (1)", HIGHER_998.colour)
    assert [words for words, _ in significance_key(rows)][-1] == f"{SUPPRESSED_LABEL} (1)"


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
    figure, *_ = render_map(context, state, None)
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


def test_a_link_carrying_a_folded_views_own_state_opens_that_fold() -> None:
    """A shared link reopens the same screen: a matrix highlight, a top N or a compared
    element opens its fold; a plain link leaves every fold closed."""
    from dashboard.landing_callbacks import FOLD_KEYS, folds_to_open

    assert list(FOLD_KEYS) == ["matrix", "elements", "element_compare"]
    assert folds_to_open({"from": "2014", "level": "ward"}) == [False, False, False]
    assert folds_to_open({"highlight": "unusual"}) == [True, False, False]
    assert folds_to_open({"highlight": "none", "top_n": "5"}) == [False, True, False]
    assert folds_to_open({"element_b": "OAEHSGCO"}) == [False, False, True]
