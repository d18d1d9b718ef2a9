"""Cost in period, committed cost and enablement beyond 6 weeks, by hand, across a year end."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ingest.build import build_serving_database
from ingest.keys import DEMO_KEY, hmac_hex
from tests.fixtures.serving import build_files, make_rows, write_csv_extract

AS_OF = dt.date(2012, 6, 30)
ENABLEMENT = {"element_code": "OAIHSENB", "service_code": "OAEN"}  # an MIA17 element
ROWS = [
    # 1: enablement 2011-12-01 .. 2012-02-29 (leap year): 91 days, £70 a week.
    {
        **ENABLEMENT,
        "agreement_start": "2011-12-01",
        "agreement_end": "2012-02-29",
        "weekly_cost": "70.00",
        "person_id": "500001",
    },
    # 2: enablement of exactly 42 days: not beyond 6 weeks.
    {
        **ENABLEMENT,
        "agreement_start": "2011-11-01",
        "agreement_end": "2011-12-12",
        "weekly_cost": "70.00",
        "person_id": "500002",
    },
    # 3: open home support from 2012-03-15, runs to the data date; cost unknown.
    {
        "agreement_start": "2012-03-15",
        "agreement_end": "",
        "weekly_cost": "",
        "person_id": "500003",
    },
]


@pytest.fixture(scope="module")
def measures_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three hand-made agreements, one person each, built with data date 2012-06-30."""
    folder = tmp_path_factory.mktemp("measures")
    extract = write_csv_extract(folder / "x.csv", make_rows(ROWS))
    out = folder / "s.duckdb"
    build_serving_database(extract, out, key=DEMO_KEY, as_of=AS_OF, progress=False)
    return out


@pytest.fixture(scope="module")
def facts(measures_db: Path) -> dict[tuple[str, str, int], dict]:
    """(period_kind, period, test row number) -> fact, matched through the person pseudonym."""
    row_of = {hmac_hex(DEMO_KEY, f"person:{r['person_id']}"): i + 1 for i, r in enumerate(ROWS)}
    with build_files(measures_db) as con:
        frame = con.execute(
            "SELECT f.*, p.person_pseudo FROM facts f JOIN persons p USING (person_idx)"
        ).df()
    return {
        (rec["period_kind"], rec["period"], row_of[rec["person_pseudo"]]): rec
        for rec in frame.to_dict("records")
    }


def test_cost_in_period_splits_at_the_year_end(facts: dict) -> None:
    assert facts[("year", "2011", 1)]["days_active"] == 31
    assert facts[("year", "2012", 1)]["days_active"] == 60
    assert facts[("year", "2011", 1)]["cost_in_period"] == pytest.approx(70 * 31 / 7)
    assert facts[("year", "2012", 1)]["cost_in_period"] == pytest.approx(70 * 60 / 7)
    assert facts[("fy", "2011/12", 1)]["days_active"] == 91
    assert facts[("quarter", "2011-Q4", 1)]["days_active"] == 31
    assert facts[("quarter", "2012-Q1", 1)]["days_active"] == 60
    assert ("quarter", "2012-Q2", 1) not in facts


def test_started_and_committed_at_end(facts: dict) -> None:
    assert facts[("year", "2011", 1)]["started"]
    assert not facts[("year", "2012", 1)]["started"]
    assert facts[("year", "2011", 1)]["committed_at_end"] == 70  # active on 31 December
    assert facts[("year", "2012", 1)]["committed_at_end"] == 0  # ended in February
    # The open agreement is active at the data date, which closes the 2012-Q2 quarter.
    assert facts[("quarter", "2012-Q2", 3)]["days_active"] == 91


def test_enablement_beyond_six_weeks(facts: dict) -> None:
    # Day 43 of an agreement starting 1 December 2011 is 12 January 2012.
    assert facts[("year", "2011", 1)]["over_6_weeks"]
    assert facts[("year", "2011", 1)]["days_beyond_42"] == 0
    assert facts[("year", "2012", 1)]["days_beyond_42"] == 20 + 29
    assert facts[("year", "2012", 1)]["cost_beyond_42"] == pytest.approx(70 * 49 / 7)
    assert facts[("fy", "2011/12", 1)]["days_beyond_42"] == 49
    # Exactly 42 days is not "over 6 weeks".
    assert not facts[("year", "2011", 2)]["over_6_weeks"]
    assert facts[("year", "2011", 2)]["days_beyond_42"] == 0
    # Not an MIA17 element: never counted.
    assert not facts[("year", "2012", 3)]["over_6_weeks"]
    assert facts[("year", "2012", 3)]["days_beyond_42"] == 0


def test_unknown_cost_stays_unknown(facts: dict) -> None:
    open_fact = facts[("year", "2012", 3)]
    assert open_fact["weekly_cost"] != open_fact["weekly_cost"]  # NaN: NULL in the database
    assert open_fact["cost_in_period"] != open_fact["cost_in_period"]
    assert open_fact["days_active"] == (AS_OF - dt.date(2012, 3, 15)).days + 1


def test_periods_cover_first_start_to_data_date(measures_db: Path) -> None:
    with build_files(measures_db) as con:
        periods = con.execute(
            "SELECT period_kind, period, start_date, end_date, ordinal FROM periods "
            "ORDER BY period_kind, ordinal"
        ).fetchall()
    labels = [(k, p) for k, p, *_ in periods]
    assert labels == [
        ("fy", "2011/12"),
        ("fy", "2012/13"),
        ("quarter", "2011-Q4"),
        ("quarter", "2012-Q1"),
        ("quarter", "2012-Q2"),
        ("year", "2011"),
        ("year", "2012"),
    ]
    assert periods[0][2:] == (dt.date(2011, 4, 1), dt.date(2012, 3, 31), 1)
    assert periods[3][2:] == (dt.date(2012, 1, 1), dt.date(2012, 3, 31), 2)
