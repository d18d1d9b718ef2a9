"""What an attack run produces: claims of certain knowledge, tallies, and examples asked."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from audit.knowledge import AttackerKnowledge
from audit.publisher import Params, Publishing, column_counts, freeze, query_string

#: Example queries kept per attack for the report.
MAX_EXAMPLES = 6
#: Recovered claims kept (with their details) per attack; all are counted.
MAX_CLAIMS_KEPT = 200


@dataclass(frozen=True)
class CellRef:
    """One published cell: a view, its filters, the row's area and the count column."""

    view: str
    params: Params
    area: str
    column: str


@dataclass(frozen=True)
class Claim:
    """A small count the attacker knows with certainty: `value` people (or agreements).

    The true value is sum(coef x true count of cell) over `terms`, which is how the audit
    checks the claim against the unprotected counts.
    """

    attack: str
    description: str
    value: int
    terms: tuple[tuple[int, CellRef], ...]
    verified: bool | None = None  # True/False once checked against true counts


@dataclass
class AttackResult:
    name: str
    title: str
    method: str
    queries: int = 0
    pairs: int = 0
    targets: int = 0
    recovered: int = 0
    narrowed_small: int = 0
    narrowest: int | None = None
    inconsistent: int = 0
    infeasible: int = 0
    claims: list[Claim] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


class AttackRun:
    """One attack's working state: asks the publisher, judges what each target reveals."""

    def __init__(
        self,
        publisher: Publishing,
        knowledge: AttackerKnowledge,
        rng: random.Random,
        result: AttackResult,
        budget: int,
    ) -> None:
        self.publisher = publisher
        self.reference = publisher.reference
        self.knowledge = knowledge
        self.rng = rng
        self.result = result
        self.budget = budget
        self._start_queries = publisher.queries
        #: Called with the pairs added since the last call (a progress bar's update).
        self.progress: Callable[[int], None] | None = None
        self._reported = 0

    @property
    def done(self) -> bool:
        return self.result.pairs >= self.budget

    def ask(
        self, view: str, params: dict[str, str], *, fresh: bool = False
    ) -> tuple[Params, pd.DataFrame]:
        frozen = freeze(params)
        rows = self.publisher.table(view, frozen, fresh=fresh)
        text = query_string(view, frozen)
        if len(self.result.examples) < MAX_EXAMPLES and text not in self.result.examples:
            self.result.examples.append(text)
        self.result.queries = self.publisher.queries - self._start_queries
        self.report_progress()
        return frozen, rows

    def report_progress(self) -> None:
        """Tell the progress callback about pairs added since it last heard."""
        done = min(self.result.pairs, self.budget)
        if self.progress is not None and done > self._reported:
            self.progress(done - self._reported)
        self._reported = max(self._reported, done)

    def counts(
        self, view: str, params: dict[str, str], column: str, *, fresh: bool = False
    ) -> tuple[Params, dict[str, int | None]]:
        frozen, rows = self.ask(view, params, fresh=fresh)
        return frozen, column_counts(rows, column)

    def judge(
        self,
        possible: set[int] | frozenset[int],
        terms: tuple[tuple[int, CellRef], ...],
        description: str | Callable[[int], str],
    ) -> int | None:
        """Record one target's possible true values; a recovery becomes a claim.

        `description` is a sentence with {value} for the recovered count, or a function of it.
        """
        r = self.result
        r.targets += 1
        value = self.knowledge.is_recovery(possible)
        if value is not None:
            r.recovered += 1
            if len(r.claims) < MAX_CLAIMS_KEPT:
                text = (
                    description(value) if callable(description) else description.format(value=value)
                )
                r.claims.append(Claim(r.name, text, value, terms))
        elif self.knowledge.is_narrowed_small(possible):
            r.narrowed_small += 1
            r.narrowest = len(possible) if r.narrowest is None else min(r.narrowest, len(possible))
        return value
