"""Budget officers' page without a browser: Table 14, the saving's arithmetic, MIA17 tables,
the page's URL state and its composite exports (all from published values)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from dashboard.choices import choices_from_reference
from dashboard.pagekit import CardQuery, run_query
from dashboard.pages import budget
from dashboard.views import Context, download_payload
from layers.matrix import UNRELIABLE_FILL
from layers.mia import (
    ALL_GROUPS,
    element_group,
    enablement_area_figure,
    enablement_groups_figure,
    mia_trend_figure,
    targets_display,
    targets_frame,
)
from layers.mia_saving import AVERAGE_LABEL, ILLUSTRATION, Basis, choose_basis, saving_meaning
from layers.style import SUPPRESSED_TEXT
from queries.export import about_length

MIA3_RECORDS = [
    {
        "theme": "MIA3",
        "theme_name": "Independent travel",
        "scope": "transport",
        "net_spend_2015_16_m": 15.711,
        "financial_year": year,
        "saving_m": saving,
    }
    for year, saving in (
        ("2016/17", 2.463),
        ("2017/18", 2.634),
        ("2018/19", 2.634),
        ("2019/20", 2.854),
    )
]


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


ENDS = {"2013/14": "2014-03-31", "2014/15": "2015-03-31", "2015/16": "2016-03-31"}


# --- Table 14 and the saving --------------------------------------------------------------


def test_table_14_in_pounds_with_each_saving_as_a_share_of_net_spend() -> None:
    targets = targets_frame(MIA3_RECORDS)
    assert list(targets["saving"]) == [2_463_000, 2_634_000, 2_634_000, 2_854_000]
    assert set(targets["net_spend_2015_16"]) == {15_711_000}
    assert targets["saving_share_of_net_spend"].iloc[0] == pytest.approx(0.1568, abs=1e-4)


def test_the_thesis_reasoning_16_percent_of_mia3_is_about_a_thousand_fewer_people() -> None:
    basis = Basis("2014/15", 6000.0, "", 12_600_000.0, "")
    meaning = saving_meaning(targets_frame(MIA3_RECORDS), basis)
    average = meaning.table.set_index("saving_year").loc[AVERAGE_LABEL]
    # Table 14's "cost saving %" is the average annual saving over the net spend: 16.84%.
    assert average["saving_share_of_net_spend"] == pytest.approx(0.1684, abs=1e-4)
    assert average["average_cost_per_person"] == 2100  # £12.6m / 6,000
    assert average["people_fewer"] == round(0.168431 * 6000)  # about 1,000 (T:1879)
    assert average["people_fewer_status"] == ""
    text = " ".join(meaning.steps)
    for shown in ("16.8%", "£15.71m", "£12.60m", "6,000", "£2,100", "1,011", "about 1,000"):
        assert shown in text, shown
    assert not meaning.withheld
    assert "not a forecast" in ILLUSTRATION


def test_a_withheld_input_withholds_the_people_implied() -> None:
    rows = trend_rows([None, 40], [None, 90_000.0], ["[c]", ""])
    rows.loc[1, "period"] = "2015/16"
    basis = choose_basis(rows.iloc[[0]], ENDS, "2015-12-31")
    assert basis.reason == "people and cost in 2013/14 withheld ([c])"
    meaning = saving_meaning(targets_frame(MIA3_RECORDS), basis)
    assert meaning.steps == []
    assert "withheld" in meaning.withheld
    assert meaning.table["people_fewer"].isna().all()
    assert set(meaning.table["people_fewer_status"]) == {"[c]"}


def test_today_is_the_latest_financial_year_the_data_covers_whole() -> None:
    rows = trend_rows([5000, 5500, 4000], [11e6, 12e6, 8e6])
    basis = choose_basis(rows, ENDS, "2015-12-31")
    assert (basis.period, basis.people, basis.cost) == ("2014/15", 5500.0, 12e6)
    assert choose_basis(rows, ENDS, "2016-06-30").period == "2015/16"


def test_few_people_flag_the_people_implied_as_low_reliability() -> None:
    meaning = saving_meaning(targets_frame(MIA3_RECORDS), Basis("2014/15", 15.0, "[u]", 3e4, ""))
    assert set(meaning.table["people_fewer_status"]) == {"[u]"}
    assert "[u]" in meaning.steps[-1]


def test_a_theme_without_targets_says_so() -> None:
    meaning = saving_meaning(targets_frame([]), Basis("2014/15", 50.0, "", 1e5, ""))
    assert meaning.table.empty and "no savings targets" in meaning.withheld


# --- figures ------------------------------------------------------------------------------


def test_the_trend_draws_net_spend_and_targets_as_labelled_reference_lines() -> None:
    rows = trend_rows([5000, None], [11e6, None], ["", "[c]"])
    fig = mia_trend_figure(rows, targets_frame(MIA3_RECORDS), theme="MIA3")
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


def test_table_14_names_each_theme_and_keeps_number_order() -> None:
    records = [
        {**r, "theme": theme, "theme_name": name}
        for theme, name in (("MIA17", "Home care enablement"), ("MIA3", "Independent travel"))
        for r in MIA3_RECORDS
    ]
    shown = targets_display(targets_frame(records))
    assert list(dict.fromkeys(shown["Theme"])) == [
        "MIA3 Independent travel",
        "MIA17 Home care enablement",
    ]
    assert "Scope" in shown.columns


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
    shown = budget.page_state(
        context, {"period_kind": "year", "from": "2012", "themes": "MIA5,MIA3", "age_bands": "65+"}
    )
    assert shown == {
        "period_kind": "fy",
        "themes": "MIA5",
        "age_bands": "65+",
        "level": "district",
    }
    params = budget.trend_params(context, {"from": "2012/13", "themes": "MIA17"})
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

    controls = budget.controls(context)
    values = [c.value_from_state({}) for c in controls]
    state = state_after_change(controls, values, {}, "themes")
    assert state == {"themes": "MIA3", "period_kind": "fy", "level": "district"}


def _published_counts(frame: pd.DataFrame, column: str, status: str) -> None:
    for value, flag in zip(frame[column], frame[status], strict=True):
        if flag == "[c]":
            assert pd.isna(value)
        else:
            assert value == 0 or (value >= 10 and value % 5 == 0), (column, value)


def test_mia17_tables_hold_published_counts_only_one_query_per_year(context) -> None:  # noqa: ANN001
    state = {"from": "2012/13", "to": "2014/15"}
    groups = budget.mia17_groups_result(context, state).result
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
    areas = budget.mia17_areas_result(context, {**state, "level": "ward"}).result
    assert areas is not None and set(areas.rows["period"]) == {"2012/13", "2013/14", "2014/15"}
    _published_counts(areas.rows, "people", "people_status")


def test_every_composite_table_exports_as_csv_and_xlsx(context) -> None:  # noqa: ANN001
    state = {"themes": "MIA3", "from": "2013/14"}
    for name in budget.DERIVED_CARDS:
        outcome = budget.derived_result(context, name, state)
        assert outcome.result is not None, (name, outcome.message)
        csv = download_payload(outcome, name, "csv")
        assert isinstance(csv, dict) and csv["filename"].endswith(".csv")
        frame = pd.read_csv(io.StringIO(csv["content"]), skiprows=about_length(csv["content"]))
        assert list(frame.columns) == [c.name for c in outcome.result.columns]
        xlsx = download_payload(outcome, name, "xlsx")
        assert isinstance(xlsx, dict) and xlsx["filename"].endswith(".xlsx")
    targets = budget.derived_result(context, "targets", state).result
    assert list(targets.rows["financial_year"]) == ["2016/17", "2017/18", "2018/19", "2019/20"]
    assert any("not reconcile" in note for note in targets.meta["notes"])


def test_bad_filters_become_a_message_not_a_traceback(context) -> None:  # noqa: ANN001
    figure, note, *_ = budget.render_theme(context, {"age_bands": "nonsense"})
    assert "cannot be shown" in str(note)
    assert figure.layout.annotations
    outcome = budget.mia17_groups_result(context, {"age_bands": "nonsense"})
    assert outcome.result is None and "age_bands" in outcome.message
