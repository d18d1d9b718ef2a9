"""Run the attack battery against a serving database, with protection and without.

The protected run uses the ptable and threshold the dashboard would use. The control run
repeats the same attacks (same seed, same queries) with protection switched off (identity
ptable, no threshold): it must recover small counts, which proves the attacks can find leaks.
Every claim is then checked against the true counts (the control run's answers).
"""

from __future__ import annotations

import math
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from audit.attacks import ATTACKS, Attack
from audit.knowledge import AttackerKnowledge
from audit.model import AttackResult, AttackRun, Claim
from audit.ptable import PtableSummary, identity_ptable, summarise_ptable, write_ptable
from audit.publisher import Publisher, Publishing, column_counts, freeze
from queries import Database, open_database
from queries.database import DEFAULT_THRESHOLD, PTABLE_ENV

DEFAULT_PAIRS = 10_000

#: Exit statuses of `care-atlas audit`.
EXIT_CLEAN = 0
EXIT_RECOVERED = 1
EXIT_CONTROL_FOUND_NOTHING = 3


@dataclass
class RunResult:
    label: str
    threshold: int
    ptable: PtableSummary
    ptable_source: str
    attacks: list[AttackResult]
    queries: int
    seconds: float

    @property
    def recovered(self) -> int:
        return sum(a.recovered for a in self.attacks)

    @property
    def pairs(self) -> int:
        return sum(a.pairs for a in self.attacks)

    @property
    def targets(self) -> int:
        return sum(a.targets for a in self.attacks)

    @property
    def inconsistent(self) -> int:
        return sum(a.inconsistent for a in self.attacks)


@dataclass
class AuditReport:
    database: Path
    meta: dict[str, str]
    seed: int
    pairs_requested: int
    protected: RunResult
    control: RunResult | None
    started: str
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.protected.recovered:
            return EXIT_RECOVERED
        if self.control is not None and self.control.recovered == 0:
            return EXIT_CONTROL_FOUND_NOTHING
        return EXIT_CLEAN


def ptable_in_force(db: Database, override: Path | None) -> tuple[pd.DataFrame, str]:
    """The ptable the query layer loaded: the override CSV or the serving database's own."""
    if override is not None:
        return pd.read_csv(override)[["pcv", "ckey", "pvalue"]].astype("int64"), str(override)
    table = db.query("SELECT pcv, ckey, pvalue FROM ptable").astype("int64")
    return table, "the serving database's ptable table"


def largest_count(publisher: Publishing) -> int:
    """An upper bound on any true count a view can publish: every agreement, whole range."""
    params = freeze({"level": "city", "measure": "agreements_active"})
    counts = column_counts(publisher.table("area_map", params), "value")
    return max((v for v in counts.values() if v is not None), default=0)


def attack_battery(
    publisher: Publishing,
    knowledge: AttackerKnowledge,
    *,
    pairs: int,
    seed: int,
    attacks: tuple[Attack, ...] = ATTACKS,
    progress: Callable[[int], None] | None = None,
) -> list[AttackResult]:
    """Run every attack with an equal share of the pair budget; same seed, same queries."""
    budget = math.ceil(pairs / len(attacks))
    results = []
    for i, attack in enumerate(attacks):
        result = AttackResult(attack.name, attack.title, attack.method)
        run = AttackRun(publisher, knowledge, random.Random(seed * 1009 + i), result, budget)
        run.progress = progress
        attack.run(run)
        run.report_progress()
        results.append(result)
    return results


def run_once(
    db: Database,
    ptable: pd.DataFrame,
    ptable_source: str,
    label: str,
    *,
    pairs: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
    publisher: Publisher | None = None,
) -> tuple[RunResult, Publisher]:
    publisher = publisher or Publisher(db)
    started = time.monotonic()
    slack = int(ptable["pvalue"].abs().max()) + 10
    knowledge = AttackerKnowledge(
        ptable, threshold=db.threshold, max_count=largest_count(publisher) + slack
    )
    attacks = attack_battery(publisher, knowledge, pairs=pairs, seed=seed, progress=progress)
    result = RunResult(
        label=label,
        threshold=db.threshold,
        ptable=summarise_ptable(ptable, db.threshold),
        ptable_source=ptable_source,
        attacks=attacks,
        queries=publisher.queries,
        seconds=time.monotonic() - started,
    )
    return result, publisher


def verify(claims: list[Claim], truth: Publishing) -> list[Claim]:
    """Each claim marked true or false against the true counts."""
    out = []
    for claim in claims:
        value = 0
        for coef, cell in claim.terms:
            counts = column_counts(truth.table(cell.view, cell.params), cell.column)
            value += coef * (counts.get(cell.area) or 0)
        out.append(
            Claim(claim.attack, claim.description, claim.value, claim.terms, value == claim.value)
        )
    return out


def run_audit(
    db_path: Path,
    *,
    pairs: int = DEFAULT_PAIRS,
    seed: int = 0,
    ptable: Path | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    control: bool = True,
    progress: Callable[[int], None] | None = None,
) -> AuditReport:
    """Attack `db_path` with protection in force (and, by default, switched off)."""
    import datetime as dt
    import os

    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if ptable is None and os.environ.get(PTABLE_ENV):
        ptable = Path(os.environ[PTABLE_ENV])
    db = open_database(db_path, ptable=ptable, threshold=threshold)
    try:
        table, source = ptable_in_force(db, ptable)
        protected, _ = run_once(
            db, table, source, "protection in force", pairs=pairs, seed=seed, progress=progress
        )
        meta = dict(db.meta)
    finally:
        db.close()
    with tempfile.TemporaryDirectory(prefix="care-atlas-audit-") as tmp:
        identity_path = write_ptable(identity_ptable(), Path(tmp) / "identity.csv")
        truth_db = open_database(db_path, ptable=identity_path, threshold=0)
        try:
            truth = Publisher(truth_db)
            control_run = None
            if control:
                identity = identity_ptable()
                control_run, _ = run_once(
                    truth_db,
                    identity,
                    "protection off (control: identity ptable, no threshold)",
                    "protection off (control)",
                    pairs=pairs,
                    seed=seed,
                    progress=progress,
                    publisher=truth,
                )
            for run in filter(None, (protected, control_run)):
                for attack in run.attacks:
                    attack.claims = verify(attack.claims, truth)
        finally:
            truth_db.close()
    return AuditReport(
        database=Path(db_path),
        meta=meta,
        seed=seed,
        pairs_requested=pairs,
        protected=protected,
        control=control_run,
        started=started,
    )
