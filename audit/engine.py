"""Run every attack on the published catalogue and on the controls; decide the exit status.

The engine takes frames (a `CellTable` and the reference tables), not files, so the tests hand
it tiny catalogues with known answers and the CLI hands it the served database and the build
workspace. A sampled run attacks a random sample of the targets (stated in the report); the
relations are always built over every published cell, so a sampled target is attacked exactly
as hard as in a full run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from audit.averaging import free_form_regions
from audit.cells import CellTable
from audit.decode import decode
from audit.money import PEOPLE_OF, one_person_costs
from audit.noise import SUPPRESSED, NoiseModel
from audit.relations import Relations, build, relation_types
from care_atlas.ptables import identity_ptable

#: Published cells up to this value are attacked too (is a published 10 really 10..17?).
SMALL_PUBLISHED = 15
#: Small cells per measure the protection-off and threshold-only controls attack (they only
#: have to show the audit finds leaks; the protected run attacks every target).
CONTROL_SAMPLE = 20_000
#: Free-form region targets per measure in the control (each costs PAIRS pairs).
CONTROL_REGION_TARGETS = 60
#: Rounds of bound propagation: a sampled run stops early (stated in the report), a full run
#: goes on until nothing tightens (or this many).
SAMPLED_ROUNDS, FULL_ROUNDS = 10, 60
#: Exit statuses of `care-atlas audit`.
EXIT_CLEAN, EXIT_RECOVERED, EXIT_CONTROL_BLIND = 0, 1, 3


@dataclass
class Run:
    """One attacker against one version of the catalogue."""

    name: str
    title: str
    results: pd.DataFrame  # one row per target (audit.decode columns)
    used: pd.DataFrame  # the relations each target's estimate used
    rounds: dict[str, int] = field(default_factory=dict)  # bound propagation rounds per measure

    @property
    def recovered(self) -> int:
        return int(self.results["recovered"].sum()) if len(self.results) else 0

    def rate(self, p: float) -> int:
        """Targets with a true count 1..9 the attacker would put at least p on."""
        r = self.results
        return int(((r["p_true"] >= p) & r["true"].between(1, 9)).sum()) if len(r) else 0


@dataclass
class AuditResult:
    cells: CellTable
    relations: Relations
    model: NoiseModel
    ptable_name: str
    sample: int | None
    seed: int
    protected: Run
    money: pd.DataFrame
    controls: list[Run] = field(default_factory=list)
    seconds: float = 0.0
    targets_total: int = 0

    @property
    def pinned(self) -> int:
        return int(self.money["pinned"].sum()) if len(self.money) else 0

    @property
    def exit_code(self) -> int:
        if self.protected.recovered or self.pinned:
            return EXIT_RECOVERED
        required = [c for c in self.controls if c.name in ("protection_off", "free_form_regions")]
        if any(c.recovered == 0 for c in required):
            return EXIT_CONTROL_BLIND
        return EXIT_CLEAN


def targets_of(cells: CellTable, measure: str) -> np.ndarray:
    """Suppressed cells and small published ones: what the attacker wants to pin down."""
    p = cells.published[measure]
    return np.nonzero((p == SUPPRESSED) | ((p > 0) & (p <= SMALL_PUBLISHED)))[0]


def _sample(idx: np.ndarray, n: int | None, rng: np.random.Generator) -> np.ndarray:
    return idx if n is None or len(idx) <= n else np.sort(rng.choice(idx, n, replace=False))


def _slim(r: pd.DataFrame) -> pd.DataFrame:
    """A control's results in the few columns the report counts (a full run keeps millions)."""
    return pd.DataFrame(
        {
            "cell": r["cell"].to_numpy(dtype=np.int32),
            "measure": r["measure"],
            "true": r["true"].to_numpy(dtype=np.int32),
            "p_true": r["p_true"].to_numpy(dtype=np.float32),
            "recovered": r["recovered"].to_numpy(),
        }
    )


def _decode_all(
    name: str,
    title: str,
    cells: CellTable,
    rel: Relations,
    model: NoiseModel,
    targets: dict[str, np.ndarray],
    rounds: int,
    published: dict[str, np.ndarray] | None = None,
) -> Run:
    results, used, done = [], [], {}
    for m, idx in targets.items():
        if len(idx) == 0:
            continue
        pub = None if published is None else published[m]
        r, u = decode(cells, rel, m, model, idx, pub, rounds, keep_used=name == "protected")
        done[m] = int(r.attrs.get("rounds", 0))
        results.append(_slim(r) if name != "protected" else r)
        used.append(u.assign(measure=m))
    if not results:
        empty = pd.DataFrame(columns=["cell", "measure", "true", "p_true", "recovered"])
        return Run(name, title, empty, pd.DataFrame(), done)
    return Run(
        name, title, pd.concat(results, ignore_index=True), pd.concat(used, ignore_index=True), done
    )


def run_audit(
    cells: CellTable,
    reference: dict[str, pd.DataFrame],
    ptable: pd.DataFrame,
    *,
    threshold: int = 10,
    ptable_name: str = "",
    sample: int | None = None,
    seed: int = 0,
    controls: bool = True,
) -> AuditResult:
    """Attack every target (or `sample` per measure), the money, and the two controls. The
    protection in force publishes true counts of 0..9 as [c] (ingest/sql/120_cells.sql)."""
    started = time.monotonic()
    rng = np.random.default_rng(seed)
    rel = build(cells, relation_types(cells, reference))
    model = NoiseModel.from_ptable(ptable, threshold, suppressed_min=0)
    all_targets = {m: targets_of(cells, m) for m in cells.published}
    targets = {m: _sample(t, sample, rng) for m, t in all_targets.items()}
    rounds = SAMPLED_ROUNDS if sample else FULL_ROUNDS
    protected = _decode_all(
        "protected",
        "The published catalogue, protection in force",
        cells,
        rel,
        model,
        targets,
        rounds,
    )
    money = (
        pd.concat(
            [
                one_person_costs(cells, rel, c)
                for c in cells.money
                if PEOPLE_OF.get(c, "people") in cells.true_n
            ],
            ignore_index=True,
        )
        if cells.money
        else pd.DataFrame(columns=["pinned"])
    )
    out = AuditResult(
        cells,
        rel,
        model,
        ptable_name,
        sample,
        seed,
        protected,
        money,
        targets_total=sum(len(t) for t in all_targets.values()),
    )
    if controls:
        out.controls = _controls(cells, rel, ptable, threshold, sample, rng, seed, rounds)
    out.seconds = time.monotonic() - started
    return out


def _controls(
    cells: CellTable,
    rel: Relations,
    ptable: pd.DataFrame,
    threshold: int,
    sample: int | None,
    rng: np.random.Generator,
    seed: int,
    rounds: int,
) -> list[Run]:
    """Protection off; suppression without noise (full runs only: informative, not required);
    free-form regions. See the report's text."""
    small = {m: np.nonzero((n >= 1) & (n <= 9))[0] for m, n in cells.true_n.items()}
    per = CONTROL_SAMPLE if sample is None else min(sample, CONTROL_SAMPLE)
    targets = {m: _sample(t, per, rng) for m, t in small.items()}
    off = NoiseModel.from_ptable(identity_ptable(), 0, suppressed_max=9)
    title = "Protection off (identity ptable, threshold 0)"
    runs = [
        _decode_all("protection_off", title, cells, rel, off, targets, rounds, dict(cells.true_n))
    ]
    if sample is None:
        bare = NoiseModel.from_ptable(identity_ptable(), threshold)
        published = {
            m: np.where((n >= 1) & (n < threshold), SUPPRESSED, n) for m, n in cells.true_n.items()
        }
        title = f"Threshold {threshold} without noise"
        runs.append(
            _decode_all("threshold_only", title, cells, rel, bare, targets, rounds, published)
        )
    protected_model = NoiseModel.from_ptable(ptable, threshold, suppressed_min=0)
    per = CONTROL_REGION_TARGETS if sample is None else min(sample, CONTROL_REGION_TARGETS)
    frames = [
        free_form_regions(cells, m, ptable, protected_model, targets=per, seed=seed)
        for m in ("agreements_active", "agreements_started")
        if m in cells.true_ckey
    ]
    res = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["recovered"])
    runs.append(
        Run(
            "free_form_regions",
            "Free-form regions of wards, protection in force",
            res,
            pd.DataFrame(),
        )
    )
    return runs
