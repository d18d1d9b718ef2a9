"""What an attacker knows from published counts, and when that knowledge is a recovery.

Builds on queries.disclosure.Inverter (the one definition of "the true counts consistent with a
published value" under a ptable and threshold). The attacker knows the ptable and threshold but
not the record keys, so a published value p tells them only that the true count lies in
possible(p); combining cells narrows that set.

A small count is RECOVERED when everything the attacker has combined leaves exactly one
possible true value and that value is in 1..9: they then know, with certainty, that a group of
that many people (or agreements) exists with the chosen attributes. Learning only that a group
holds "somewhere between 1 and 9" is not a recovery: a suppressed cell already says that (a
true zero is published as 0, PRIVACY.md §2).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

import pandas as pd

from queries.disclosure import Inverter

#: Published value as the attacker sees it: a whole number, or None when suppressed.
Published = int | None


class AttackerKnowledge(Inverter):
    """Inverter with an inverse index (published -> true counts), so millions of look-ups stay
    fast, plus the set reasoning the attacks share."""

    def __init__(
        self, ptable: pd.DataFrame, threshold: int, max_count: int, small_below: int = 10
    ) -> None:
        super().__init__(ptable, threshold=threshold, max_count=max_count, small_below=small_below)

    @cached_property
    def _inverse(self) -> dict[Published, frozenset[int]]:
        inverse: dict[Published, set[int]] = {}
        for n, outcomes in self._outcomes.items():
            for p in outcomes:
                inverse.setdefault(p, set()).add(n)
        return {p: frozenset(ns) for p, ns in inverse.items()}

    def possible(self, published: Published) -> set[int]:  # type: ignore[override]
        """True counts consistent with a published value (None = suppressed)."""
        return set(self._inverse.get(published, frozenset()))

    def possible_frozen(self, published: Published) -> frozenset[int]:
        return self._inverse.get(published, frozenset())

    def hull(self, published: Published) -> tuple[int, int] | None:
        """Smallest interval holding every true count consistent with `published`."""
        values = self._inverse.get(published)
        if not values:
            return None
        return min(values), max(values)

    def is_recovery(self, values: Iterable[int]) -> int | None:
        """The small count a set of possible true values gives away with certainty, else None."""
        values = set(values)
        if len(values) == 1:
            (v,) = values
            if 1 <= v < self.small_below:
                return v
        return None

    def is_narrowed_small(self, values: Iterable[int]) -> bool:
        """All possible values are small (1..9): the attacker knows a small group exists."""
        values = set(values)
        return bool(values) and min(values) >= 1 and max(values) < self.small_below

    def inverse_is_interval(self, published_values: Iterable[Published]) -> bool:
        """Whether possible(p) is a run of consecutive whole numbers for every p given."""
        for p in published_values:
            values = self._inverse.get(p)
            if values and max(values) - min(values) + 1 != len(values):
                return False
        return True
