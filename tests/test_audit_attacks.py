"""The attack battery finds planted leaks and finds none under the shipped noise ptable.

Runs on the small synthetic serving database of the query-layer tests (tests/fixtures/
queries.py), whose cells are skewed so that many hold 1..9 people, with small pair budgets.
"""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from audit.attacks import ATTACKS, averaging, filters
from audit.knowledge import AttackerKnowledge
from audit.model import AttackResult, AttackRun
from audit.ptable import identity_ptable, noise_ptable, write_ptable
from audit.publisher import Params, Publisher
from audit.runner import attack_battery, run_audit, verify
from queries import open_database

PAIRS = 300
MAX_COUNT = 5_000  # the fixture holds 1,500 agreements


@pytest.fixture(scope="module")
def ptables(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("ptables")
    return {
        "identity": write_ptable(identity_ptable(), folder / "identity.csv"),
        "noise": write_ptable(noise_ptable(), folder / "noise.csv"),
    }


@pytest.fixture(scope="module")
def truth_db(queries_serving_path, ptables):
    db = open_database(queries_serving_path, ptable=ptables["identity"], threshold=0)
    yield db
    db.close()


def _knowledge(table: pd.DataFrame, threshold: int) -> AttackerKnowledge:
    return AttackerKnowledge(table, threshold=threshold, max_count=MAX_COUNT)


def test_every_attack_recovers_small_counts_with_protection_off(truth_db):
    publisher = Publisher(truth_db)
    results = attack_battery(publisher, _knowledge(identity_ptable(), 0), pairs=PAIRS, seed=3)
    assert [r.name for r in results] == [a.name for a in ATTACKS]
    for result in results:
        assert result.pairs >= PAIRS // len(ATTACKS), result.name
        assert result.recovered > 0, result.name
        checked = verify(result.claims, publisher)
        assert checked and all(c.verified for c in checked), result.name


def test_no_recovery_under_the_noise_ptable(queries_serving_path, ptables, truth_db):
    db = open_database(queries_serving_path, ptable=ptables["noise"])
    try:
        results = attack_battery(
            Publisher(db), _knowledge(noise_ptable(), db.threshold), pairs=PAIRS, seed=3
        )
    finally:
        db.close()
    assert sum(r.pairs for r in results) >= PAIRS
    assert sum(r.targets for r in results) > 0
    assert [r.recovered for r in results] == [0] * len(results)
    assert sum(r.inconsistent for r in results) == 0


class UnprotectedView:
    """A deliberately unprotected area view: true people and cost straight from facts."""

    def __init__(self, path: Path, reference) -> None:
        self.con = duckdb.connect(str(path), read_only=True)
        self.reference = reference
        self.queries = 0

    def table(self, view: str, params: Params, *, fresh: bool = False) -> pd.DataFrame:
        p = dict(params)
        self.queries += 1
        column = {"sector": "sector", "ward": "ward_code", "district": "district", "h3r8": "h3r8"}
        where, args = ["period_kind = 'year'", "period BETWEEN $from AND $to"], {}
        args["from"], args["to"] = p["from"], p["to"]
        for name, col in (
            ("elements", "element_code"),
            ("age_bands", "age_band"),
            ("provision", "provision_type"),
        ):
            if name in p:
                where.append(f"{col} IN (SELECT unnest(${name}))")
                args[name] = p[name].split(",")
        return self.con.execute(
            f"SELECT {column[p['level']]} AS area_code, count(DISTINCT person_idx) AS people, "
            f"sum(cost_in_period) AS value FROM facts WHERE {' AND '.join(where)} GROUP BY 1",
            args,
        ).df()


def _run(attack, publisher, knowledge, budget: int = 300) -> AttackResult:
    result = AttackResult(attack.NAME, attack.TITLE, attack.METHOD)
    attack.attack(AttackRun(publisher, knowledge, random.Random(5), result, budget))
    return result


def test_filters_attack_finds_an_unprotected_view(queries_serving_path, truth_db):
    view = UnprotectedView(queries_serving_path, truth_db.reference)
    result = _run(filters, view, _knowledge(identity_ptable(), 0))
    assert result.recovered > 0
    assert any("people used" in c.description for c in result.claims)


class InconsistentNoise:
    """True counts plus fresh noise of -1, 0 or +1 on every answer (no cell key)."""

    def __init__(self, truth: Publisher) -> None:
        self.truth = truth
        self.reference = truth.reference
        self.queries = 0
        self.rng = random.Random(11)

    def table(self, view: str, params: Params, *, fresh: bool = False) -> pd.DataFrame:
        self.queries += 1
        rows = self.truth.table(view, params).copy()
        for column in ("people", "value"):
            if column in rows:
                noise = [self.rng.choice((-1, 0, 1)) for _ in range(len(rows))]
                rows[column] = (rows[column] + pd.array(noise)).clip(lower=0)
        return rows


def _plus_minus_one(ptables_folder: Path) -> tuple[pd.DataFrame, Path]:
    table = identity_ptable().assign(pvalue=lambda t: t.ckey % 3 - 1)
    return table, write_ptable(table, ptables_folder / "plus-minus-one.csv")


def test_averaging_defeats_inconsistent_noise_but_not_cell_keys(
    queries_serving_path, truth_db, tmp_path
):
    """The same +-1 noise: drawn afresh per answer it averages away; keyed per cell it does
    not (every way of asking returns the same value)."""
    table, path = _plus_minus_one(tmp_path)
    knowledge = _knowledge(table, 0)
    leaky = _run(averaging, InconsistentNoise(Publisher(truth_db)), knowledge, budget=150)
    assert leaky.inconsistent > 0
    assert leaky.recovered > 0
    db = open_database(queries_serving_path, ptable=path, threshold=0)
    try:
        keyed = _run(averaging, Publisher(db), knowledge, budget=150)
    finally:
        db.close()
    assert keyed.inconsistent == 0
    assert keyed.recovered == 0


def test_run_audit_reports_protected_and_control(queries_serving_path, ptables):
    report = run_audit(queries_serving_path, pairs=150, seed=1, ptable=ptables["noise"])
    assert report.protected.recovered == 0
    assert report.control is not None and report.control.recovered > 0
    assert report.exit_code == 0
    assert report.protected.ptable.noisy and report.protected.threshold == 10
    claims = [c for a in report.control.attacks for c in a.claims]
    assert claims and all(c.verified for c in claims)
