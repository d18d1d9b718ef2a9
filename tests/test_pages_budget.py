"""Budget officers' page without a browser: the saving's arithmetic and its words, the MIA
figures, the page's URL state and its cards: each one query-layer view (all from published
values), whose downloads are the API's answer."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from dashboard.choices import choices_from_reference
from dashboard.pagekit import CardQuery, run_query
from dashboard.pages import budget_cards, budget_state
from dashboard.views import Context, download_payload
from layers.matrix import UNRELIABLE_FILL
from layers.mia import (
    ALL_GROUPS,
    enablement_area_figure,
    enablement_groups_figure,
    mia_trend_figure,
    targets_display,
)
from layers.mia_saving import worked_steps
from layers.style import SUPPRESSED_TEXT
from queries.budget_views import element_group
from queries.export import about_length, csv_text
from queries.filters import parse_filters
from queries.saving_views import AVERAGE_LABEL, ILLUSTRATION, Basis, choose_basis, saving_table
from queries.views import run_view


def mia3_targets(theme: str = "MIA3", name: str = "Independent travel") -> pd.DataFrame:
    """Table 14's MIA3 rows as the mia_targets view gives them (£)."""
    savings = (2_463_000.0, 2_634_000.0, 2_634_000.0, 2_854_000.0)
    return pd.DataFrame(
        {
            "theme": [theme] * 4,
            "theme_name": [name] * 4,
            "scope": ["transport"] * 4,
            "financial_year": ["2016/17", "2017/18", "2018/19", "2019/20"],
            "net_spend_2015_16": [15_711_000.0] * 4,
            "saving": list(savings),
            "saving_share_of_net_spend": [round(s / 15_711_000, 4) for s in savings],
        }
    )


def basis_cells(people: list, cost: list) -> dict:
    """Published people and cost per financial year, as the saving view reads them (grid
    columns: counts as IntegerArray, money as floats with NaN for [c])."""
    return {
        "period": np.array(["2013/14", "2014/15", "2015/16"][: len(people)], dtype=object),
        "people": pd.array(people, dtype="Int64"),
        "cost": np.array([float("nan") if c is None else c for c in cost]),
    }


def trend_rows(people: list, cost: list, statuses: list[str] | None = None) -> pd.DataFrame:
    periods = ["2013/14", "2014/15", "2015/16"][: len(people)]
    statuses = statuses or [""] * len(people)
    return pd.DataFrame(
        {
            "period": periods,
            "agreements": [p if p is not None else pd.NA for p in people],
            "agreements_status": statuses,
            "people": pd.array(people, dtype="Int64"),
            "people_status": statuses,
            "cost": cost,
            "cost_status": statuses,
        }
    )


#: the data date 2015-12-31 leaves 2015/16 a part year
PART = ("2015/16",)


# --- the saving ---------------------------------------------------------------------------


def test_the_thesis_reasoning_16_percent_of_mia3_is_about_a_thousand_fewer_people() -> None:
    table, withheld = saving_table(mia3_targets(), Basis("2014/15", 6000.0, 12_600_000.0))
    average = table.set_index("saving_year").loc[AVERAGE_LABEL]
    # Table 14's "cost saving %" is the average annual saving over the net spend: 16.84%.
    assert average["saving_share_of_net_spend"] == pytest.approx(0.1684, abs=1e-4)
    assert average["average_cost_per_person"] == 2100  # £12.6m / 6,000
    assert average["people_fewer"] == round(0.168431 * 6000)  # about 1,000 (T:1879)
    assert average["people_fewer_status"] == ""
    text = " ".join(worked_steps(table.iloc[-1].to_dict()))
    for shown in ("16.8%", "£15.7m", "£12.6m", "6,000", "£2,100", "1,011", "about 1,000"):
        assert shown in text, shown
    assert not withheld
    assert "not a forecast" in ILLUSTRATION


def test_a_withheld_input_withholds_the_people_implied() -> None:
    basis = choose_basis(basis_cells([None], [None]), PART)
    assert basis.reason == "people and cost in 2013/14 withheld ([c])"
    table, withheld = saving_table(mia3_targets(), basis)
    assert "withheld" in withheld
    assert table["people_fewer"].isna().all()
    assert set(table["people_fewer_status"]) == {"[c]"}
    assert set(table["basis_people_status"]) == {"[c]"}


def test_today_is_the_latest_financial_year_the_data_covers_whole() -> None:
    cells = basis_cells([5000, 5500, 4000], [11e6, 12e6, 8e6])
    basis = choose_basis(cells, PART)
    assert (basis.period, basis.people, basis.cost) == ("2014/15", 5500.0, 12e6)
    assert choose_basis(cells, ()).period == "2015/16"
    assert choose_basis(cells, ("2013/14", "2014/15", "2015/16")).reason == (
        "no whole financial year in the range chosen"
    )


def test_few_people_flag_the_people_implied_as_low_reliability() -> None:
    table, _ = saving_table(mia3_targets(), Basis("2014/15", 15.0, 3e4))
    assert set(table["people_fewer_status"]) == {"[u]"}
    assert "[u]" in worked_steps(table.iloc[-1].to_dict())[-1]


def test_a_theme_without_targets_says_so() -> None:
    table, withheld = saving_table(mia3_targets().iloc[:0], Basis("2014/15", 50.0, 1e5))
    assert table.empty and "no savings targets" in withheld


# --- figures ------------------------------------------------------------------------------


def test_the_trend_draws_net_spend_and_targets_as_labelled_reference_lines() -> None:
    rows = trend_rows([5000, None], [11e6, None], ["", "[c]"])
    fig = mia_trend_figure(rows, mia3_targets(), theme="MIA3")
    by_name = {trace.name: trace for trace in fig.data}
    net = next(t for n, t in by_name.items() if "net spend" in n)
    assert set(net.y) == {15_711_000.0} and "not reconciled" in net.name
    # Table 14's net spend is a 2015/16 figure: one marker there, not a line over every year.
    assert list(net.x) == ["2015/16"] and net.mode == "markers"
    assert list(fig.layout.xaxis.categoryarray) == [
        "2013/14", "2014/15", "2015/16", "2016/17", "2017/18", "2018/19", "2019/20"
    ]  # fmt: skip
    assert net.name.startswith("MIA3 Independent travel")
    target = next(t for n, t in by_name.items() if "savings target" in n)
    assert list(target.y) == [2_463_000.0, 2_634_000.0, 2_634_000.0, 2_854_000.0]
    assert "not reconciled" in target.name
    assert list(by_name["People"].y) == [5000.0, None]  # withheld is a gap, never a zero


def test_enablement_groups_draw_withheld_years_as_gaps() -> None:
    rows = pd.DataFrame(
        {
            "period": ["2013/14", "2014/15", "2013/14", "2014/15"],
            "group": ["LD", "LD", ALL_GROUPS, ALL_GROUPS],
            "group_label": ["Learning disability (LD)"] * 2 + [ALL_GROUPS] * 2,
            "share_over_6w": [0.4, None, 0.2, 0.25],
            "share_status": ["", "[c]", "", ""],
            "cost_beyond_42": [1e5, None, 5e5, 6e5],
            "cost_status": ["", "[c]", "", ""],
        }
    )
    fig = enablement_groups_figure(rows)
    ld_share, ld_cost = fig.data[0], fig.data[1]
    assert list(ld_share.y) == [0.4, None] and list(ld_cost.y) == [1e5, None]
    assert "[c]" in ld_share.text[1]
    # Wrapped onto lines that fit the card.
    assert fig.layout.annotations[-1].text.replace("<br>", " ") == (
        f"{SUPPRESSED_TEXT}. Withheld: Learning disability (LD) 2014/15"
    )


def test_enablement_costs_tick_in_the_one_money_format() -> None:
    rows = pd.DataFrame(
        {
            "period": ["2013/14", "2014/15"],
            "group": ["LD", "LD"],
            "group_label": ["Learning disability (LD)"] * 2,
            "share_over_6w": [0.4, 0.3],
            "share_status": ["", ""],
            "cost_beyond_42": [8e5, 1.3e6],
            "cost_status": ["", ""],
        }
    )
    axis = enablement_groups_figure(rows).layout.yaxis2
    assert axis.tickformat is None and list(axis.ticktext)[:3] == ["£0", "£500k", "£1m"]


def test_enablement_groups_mark_part_years_and_stand_a_long_series_upright() -> None:
    """A part year is labelled and shaded as on the other trends; sixteen years stand upright
    (slanted by Plotly, the last ran off a half-width card's edge), two lie flat."""
    years = [f"{2000 + i}/{(i + 1) % 100:02d}" for i in range(16)]
    rows = pd.DataFrame(
        {
            "period": years,
            "group": ["LD"] * 16,
            "group_label": ["Learning disability (LD)"] * 16,
            "share_over_6w": [0.4] * 16,
            "share_status": [""] * 16,
            "cost_beyond_42": [8e5] * 16,
            "cost_status": [""] * 16,
        }
    )
    fig = enablement_groups_figure(rows, parts={"2015/16": "1 Apr 2015 to 31 Dec 2015"})
    ticks = dict(zip(fig.layout.xaxis.tickvals, fig.layout.xaxis.ticktext, strict=True))
    assert ticks["2015/16"] == "2015/16<br>(part)" and ticks["2014/15"] == "2014/15"
    assert len(fig.layout.shapes) == 1 and fig.layout.xaxis2.tickangle == -90
    short = enablement_groups_figure(rows.iloc[-2:])
    assert short.layout.xaxis2.tickangle is None and not short.layout.shapes


def test_table_14_names_each_theme() -> None:
    frame = pd.concat(
        [mia3_targets(), mia3_targets("MIA17", "Home care enablement")], ignore_index=True
    )
    shown = targets_display(frame)
    assert list(dict.fromkeys(shown["Theme"])) == [
        "MIA3 Independent travel",
        "MIA17 Home care enablement",
    ]
    assert "Scope" in shown.columns
    assert shown["Savings target (£m)"].iloc[0] == "2.463"


def test_u_shares_of_0_and_100_percent_are_not_the_brightest_cells() -> None:
    rows = pd.DataFrame(
        {
            "period": ["2014/15"] * 3,
            "area_code": ["B1", "B2", "B3"],
            "area_name": ["B1", "B2", "B3"],
            "share_over_6w": [0.0, 1.0, 0.4],
            "share_status": ["[u]", "[u]", ""],
            "cost_beyond_42": [None, None, 1e5],
            "cost_status": ["[c]", "[c]", ""],
        }
    )
    fig = enablement_area_figure(rows, measure="share")
    heat = fig.data[0]
    assert all(pd.isna(row[0]) for row in heat.z[:2])  # no colour from the scale
    grey = next(t for t in fig.data if t.type == "heatmap" and t is not heat)
    assert grey.colorscale[0][1] == UNRELIABLE_FILL
    assert "[u] low reliability" in heat.customdata[0][0]


def test_client_groups_are_the_element_code_prefixes() -> None:
    assert [element_group(c) for c in ("LDIHSENB", "OAIHSENB", "PDIHSENB", "HSSU65PL")] == [
        "LD",
        "OA",
        "PD",
        "HSSU",
    ]


# --- the page over a small protected database ---------------------------------------------


@pytest.fixture(scope="module")
def context(queries_db) -> Context:  # noqa: ANN001
    return Context(db=queries_db, choices=choices_from_reference(queries_db.reference))


def test_a_link_from_another_page_is_read_as_financial_years_and_one_theme(context) -> None:  # noqa: ANN001
    shown = budget_state.page_state(
        context, {"period_kind": "year", "from": "2012", "themes": "MIA5,MIA3", "age_bands": "65+"}
    )
    assert shown == {
        "period_kind": "fy",
        "themes": "MIA5",
        "age_bands": "65+",
        "level": "district",
        "show": "share",
    }
    params = budget_state.trend_params(context, {"from": "2012/13", "themes": "MIA17"})
    assert params == {
        "period_kind": "fy",
        "level": "city",
        "from": "2012/13",
        "themes": "MIA17",
    }


def test_the_page_writes_theme_period_kind_and_level_into_the_url_even_as_defaults(
    context,  # noqa: ANN001
) -> None:
    from dashboard.pagekit import state_after_change

    controls = budget_state.controls(context)
    values = [c.value_from_state({}) for c in controls]
    state = state_after_change(controls, values, {}, "themes")
    assert state == {"themes": "MIA3", "period_kind": "fy", "level": "district"}


def _published_counts(frame: pd.DataFrame, column: str, status: str) -> None:
    for value, flag in zip(frame[column], frame[status], strict=True):
        if flag == "[c]":
            assert pd.isna(value)
        else:
            assert value == 0 or (value >= 10 and value % 5 == 0), (column, value)


CARDS = ("trend", "mia_targets", "mia_saving", "enablement_groups", "enablement_areas")


def test_each_card_is_one_view_named_after_it(context) -> None:  # noqa: ANN001
    state = {"themes": "MIA3", "from": "2012/13", "to": "2014/15", "provision": "Internal"}
    queries = {name: budget_state.query_of(context, name, state) for name in CARDS}
    assert {name: q.view for name, q in queries.items() if q} == {n: n for n in CARDS}
    mia17 = queries["enablement_groups"].params
    assert mia17 == {
        "period_kind": "fy",
        "level": "city",
        "provision": "Internal",
        "from": "2012/13",
        "to": "2014/15",
        "themes": "MIA17",  # MIA17 whatever theme is chosen, with its provision type
    }
    assert queries["enablement_areas"].params == {**mia17, "level": "district"}
    assert queries["mia_saving"].params == queries["trend"].params
    assert queries["mia_targets"].params == {"period_kind": "fy", "themes": "MIA3"}
    assert budget_state.query_of(context, "nonsense", state) is None


def test_mia17_cards_hold_published_counts_equal_to_their_own_cells(context) -> None:  # noqa: ANN001
    state = {"from": "2012/13", "to": "2014/15"}
    groups = budget_cards.card_result(context, "enablement_groups", state).result
    assert groups is not None
    assert list(dict.fromkeys(groups.rows["period"])) == ["2012/13", "2013/14", "2014/15"]
    assert set(groups.rows["group"]) == {"LD", "OA", "PD", ALL_GROUPS}
    _published_counts(groups.rows, "people", "people_status")
    _published_counts(groups.rows, "people_over_6w", "over_6w_status")
    withheld = groups.rows["cost_status"] == "[c]"
    assert groups.rows.loc[withheld, "cost_beyond_42"].isna().all()
    one = run_query(
        context,
        CardQuery(
            "enablement",
            {
                "period_kind": "fy",
                "from": "2013/14",
                "to": "2013/14",
                "level": "city",
                "elements": "LDIHSENB",
            },
        ),
    ).result
    ld = groups.rows[(groups.rows["period"] == "2013/14") & (groups.rows["group"] == "LD")]
    mine, theirs = ld["people"].iloc[0], one.rows["people"].iloc[0]
    assert (pd.isna(mine) and pd.isna(theirs)) or mine == theirs
    areas = budget_cards.card_result(context, "enablement_areas", {**state, "level": "ward"})
    assert areas.result is not None
    assert set(areas.result.rows["period"]) == {"2012/13", "2013/14", "2014/15"}
    _published_counts(areas.result.rows, "people", "people_status")


def test_the_areas_card_draws_the_measure_show_names(context, monkeypatch) -> None:  # noqa: ANN001
    state = {"from": "2012/13", "to": "2014/15", "level": "ward"}
    drawn: list[str] = []
    real = budget_cards.enablement_area_figure

    def spy(rows: pd.DataFrame, *, measure: str, parts: object = ()) -> object:
        drawn.append(measure)
        return real(rows, measure=measure, parts=parts)

    monkeypatch.setattr(budget_cards, "enablement_area_figure", spy)
    for show, measure, title in (
        ("", "share", "Share beyond 6 weeks"),
        ("nonsense", "share", "Share beyond 6 weeks"),  # an odd link: the default
        ("cost", "cost", "Cost beyond day 42"),
    ):
        figure, _ = budget_cards.render_mia17_areas(context, {**state, "show": show})
        assert drawn.pop() == measure
        assert figure.data[0].name == title


def test_every_card_exports_the_apis_file(context) -> None:  # noqa: ANN001
    state = {"themes": "MIA3", "from": "2013/14"}
    for name in CARDS:
        outcome = budget_cards.card_result(context, name, state)
        assert outcome.result is not None, (name, outcome.message)
        csv = download_payload(outcome, name, "csv")
        assert isinstance(csv, dict)
        assert csv["filename"].startswith(f"care-atlas_{name.replace('_', '-')}_")
        query = budget_state.query_of(context, name, state)
        api = run_view(context.db, name, parse_filters(query.params, context.db.reference))
        assert csv["content"] == csv_text(api, name)
        frame = pd.read_csv(io.StringIO(csv["content"]), skiprows=about_length(csv["content"]))
        assert list(frame.columns) == [c.name for c in outcome.result.columns]
        xlsx = download_payload(outcome, name, "xlsx")
        assert isinstance(xlsx, dict) and xlsx["filename"].endswith(".xlsx")
    targets = budget_cards.card_result(context, "mia_targets", state).result
    assert list(targets.rows["financial_year"]) == ["2016/17", "2017/18", "2018/19", "2019/20"]
    assert any("not reconcile" in note for note in targets.meta["notes"])


def test_the_saving_card_shows_the_views_steps_or_why_they_are_withheld(context) -> None:  # noqa: ANN001
    state = {"themes": "MIA3", "from": "2012/13", "to": "2014/15"}
    saving = budget_cards.card_result(context, "mia_saving", state)
    body = str(budget_cards.saving_body(saving))
    average = saving.result.rows.iloc[-1]
    if saving.result.meta["withheld"]:
        assert "[c]" in body
    else:
        assert f"{average['people_fewer']:,.0f}" in body and "budget-steps" in body
    assert ILLUSTRATION in body


def test_bad_filters_become_a_message_not_a_traceback(context) -> None:  # noqa: ANN001
    figure, note, *_ = budget_cards.render_theme(context, {"age_bands": "nonsense"})
    assert "cannot be shown" in str(note)
    assert figure.layout.annotations
    outcome = budget_cards.card_result(context, "enablement_groups", {"age_bands": "nonsense"})
    assert outcome.result is None and "age_bands" in outcome.message
