"""Part periods: a period the data does not wholly cover (a financial year to a December data
date, the year an extract starts in) is said to be one wherever it is shown, and never read as
a whole one: the headline compares whole periods, the matrix highlights leave it out, charts
label it, the savings basis skips it. The demo data runs 2001-01-01 to 2015-12-31, so its
financial years 2000/01 (January to March 2001) and 2015/16 (April to December 2015) are the
part periods."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from ingest.build import sql_steps
from layers.matrix import highlight_note, matrix_figure
from layers.trend import trend_figure
from queries import DatabaseError, open_database, parse_filters, run_view
from queries.viewkit import part_period_note

WHOLE_FY = {"period_kind": "fy", "from": "2000/01", "to": "2015/16", "level": "city"}


def view(db, name: str, **params: str):  # noqa: ANN001, ANN201
    return run_view(db, name, parse_filters(params, db.reference))


def periods_of(first_start: str, data_date: str) -> pd.DataFrame:
    """070_periods.sql over one loaded start date and a data date."""
    con = duckdb.connect()
    con.execute("ATTACH ':memory:' AS serving")
    con.execute(f"CREATE TABLE loaded AS SELECT DATE '{first_start}' AS start_date")
    con.execute(f"CREATE TABLE build_dates AS SELECT DATE '{data_date}' AS data_date")
    con.execute(dict(sql_steps())["070_periods.sql"])
    frame = con.execute(
        "SELECT period_kind, period, CAST(data_from AS VARCHAR) AS data_from, "
        "CAST(data_to AS VARCHAR) AS data_to, start_date <> data_from OR end_date <> data_to "
        "AS part FROM serving.periods"
    ).df()
    con.close()
    return frame.set_index(["period_kind", "period"])


def test_the_build_marks_what_the_data_does_not_cover_whole() -> None:
    p = periods_of("2003-02-17", "2010-08-15")
    parts = set(p.index[p["part"]])
    # The first quarter is covered from its first day (not from one agreement's own start
    # date, which is one person's), so 2003-Q1 and 2003 are whole and 2002/03 is a part.
    assert parts == {("fy", "2002/03"), ("year", "2010"), ("fy", "2010/11"),
                     ("quarter", "2010-Q3")}  # fmt: skip
    assert p.loc[("fy", "2002/03"), "data_from"] == "2003-01-01"
    assert p.loc[("quarter", "2010-Q3"), "data_to"] == "2010-08-15"
    whole = periods_of("2003-01-01", "2010-12-31")
    assert set(whole.index[whole["part"]]) == {("fy", "2002/03"), ("fy", "2010/11")}


def test_every_view_says_which_shown_periods_are_parts(queries_db) -> None:  # noqa: ANN001
    result = view(queries_db, "trend", **WHOLE_FY)
    parts = result.meta["part_periods"]
    assert parts == {"2000/01": "1 Jan 2001 to 31 Mar 2001", "2015/16": "1 Apr 2015 to 31 Dec 2015"}
    assert part_period_note("fy", "2015/16", parts["2015/16"]) in result.meta["notes"]
    years = view(queries_db, "trend", period_kind="year", level="city")
    assert years.meta["part_periods"] == {}
    assert not any("part period" in n for n in years.meta["notes"])
    enablement = view(queries_db, "enablement_areas", **{**WHOLE_FY, "level": "district"})
    assert set(enablement.meta["part_periods"]) == {"2000/01", "2015/16"}
    assert any("2015/16 is a part period" in n for n in enablement.meta["notes"])


def test_the_headline_compares_whole_periods_only(queries_db) -> None:  # noqa: ANN001
    row = view(queries_db, "headlines", **WHOLE_FY).rows.iloc[0]
    assert (row["period"], row["previous_period"]) == ("2014/15", "2013/14")
    assert row["period_note"].startswith("2015/16 is left out: a part period")
    assert row["people_change_status"] == ""
    alone = view(queries_db, "headlines", period_kind="fy", **{"from": "2015/16", "to": "2015/16"})
    row = alone.rows.iloc[0]
    assert row["period"] == "2015/16" and "no change shown" in row["period_note"]
    assert pd.isna(row["people_change"]) and row["people_change_status"] == "[z]"
    after_part = view(
        queries_db, "headlines", period_kind="fy", **{"from": "2001/02", "to": "2001/02"}
    )
    row = after_part.rows.iloc[0]
    assert row["previous_period"] == "2000/01" and row["people_change_status"] == "[z]"
    assert row["period_note"].startswith("No change shown: 2000/01 is a part period")


def test_a_part_period_is_never_highlighted_and_is_labelled() -> None:
    periods = ["2012/13", "2013/14", "2014/15", "2015/16"]
    areas = [f"B{i}" for i in range(1, 9)]
    rng = np.random.default_rng(2)
    values = rng.integers(400, 600, size=(len(areas), len(periods))).astype(float)
    values[0, 3] = 60.0  # the part year's low figure: the most unusual cell by far
    rows = pd.DataFrame({
        "area_code": np.repeat(areas, len(periods)),
        "area_name": "",
        "period": periods * len(areas),
        "value": values.ravel(),
        "value_status": "",
    })  # fmt: skip
    flagged = matrix_figure(rows, kind="count", measure_label="People", highlight="unusual")
    boxes = [s for s in flagged.layout.shapes if s.x0 == 2.5]
    assert boxes, "without the part mark the low cell is flagged (the test can fail)"
    parts = {"2015/16": "1 Apr 2015 to 31 Dec 2015"}
    fig = matrix_figure(
        rows, kind="count", measure_label="People", highlight="unusual", parts=parts
    )
    assert not [s for s in fig.layout.shapes if s.x0 == 2.5]
    assert "2015/16 (part)" in list(fig.data[0].x)
    assert "Part periods (2015/16) are left out." in highlight_note(rows, "unusual", parts)


def test_an_export_says_it_in_words_once(queries_db) -> None:  # noqa: ANN001
    from queries.export import about_rows

    rows = about_rows(view(queries_db, "trend", **WHOLE_FY))
    notes = [value for key, value in rows if key == "note"]
    assert sum("is a part period" in n for n in notes) == 2
    assert "part_periods" not in {key for key, _ in rows}


def test_the_trend_labels_and_shades_a_part_period(queries_db) -> None:  # noqa: ANN001
    result = view(queries_db, "trend", **WHOLE_FY)
    fig = trend_figure(result.rows, parts=result.meta["part_periods"])
    ticks = dict(zip(fig.layout.xaxis.tickvals, fig.layout.xaxis.ticktext, strict=True))
    assert ticks["2015/16"] == "2015/16<br>(part)" and ticks["2014/15"] == "2014/15"
    assert len(fig.layout.shapes) == 2  # one band behind each part period
    assert "1 Apr 2015 to 31 Dec 2015" in fig.data[0].customdata[-1]
    # The foot holds the labels as drawn, "(part)" on its own line: sized for it on one line
    # it left a blank band between the upright years and the legend.
    from layers.margins import MarginPlan, text_ems

    plan = MarginPlan.from_meta(fig.layout.meta)
    assert plan is not None and plan.ems["b"] == pytest.approx(text_ems("2015/16"))


def test_a_served_file_from_older_code_is_refused_with_rebuild(
    queries_serving_path: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old.duckdb"
    shutil.copy(queries_serving_path, old)
    con = duckdb.connect(str(old))
    con.execute("ALTER TABLE periods DROP COLUMN data_from")
    con.close()
    with pytest.raises(DatabaseError, match="built by older code; rebuild"):
        open_database(old)
