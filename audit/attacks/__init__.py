"""The attack battery: each module's `attack(run)` spends its pair budget on one family."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from audit.attacks import averaging, filters, geography, margins, temporal
from audit.model import AttackRun


@dataclass(frozen=True)
class Attack:
    name: str
    title: str
    method: str
    run: Callable[[AttackRun], None]


ATTACKS: tuple[Attack, ...] = tuple(
    Attack(m.NAME, m.TITLE, m.METHOD, m.attack)
    for m in (filters, geography, temporal, averaging, margins)
)
