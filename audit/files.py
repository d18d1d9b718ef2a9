"""The audit on real files: the served database and the build workspace beside it.

What `care-atlas audit` and the end of `care-atlas build` call, and where the report and the
per-cell CSV are written. The ptable in force is the one the build recorded (its table in
either file, else the built-in table the served meta names); `ptable` overrides it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from audit.cells import DIMENSIONS, load, reference
from audit.engine import AuditResult, run_audit
from audit.report import blocks, to_html, to_markdown
from care_atlas.errors import UserError
from care_atlas.ptables import NOISE_PTABLE_NAME, ONS_10_5_NAME, noise_ptable, ons_10_5_path

#: Sampled targets per measure when the build runs the audit (stated in the report).
BUILD_SAMPLE = 3000


def _ptable(served: Path, workspace: Path, meta: dict[str, str]) -> pd.DataFrame:
    for path in (workspace, served):
        con = duckdb.connect(str(path), read_only=True)
        try:
            names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
            if "ptable" in names:
                return con.execute("SELECT pcv, ckey, pvalue FROM ptable").df().astype("int64")
        finally:
            con.close()
    name = meta.get("ptable", NOISE_PTABLE_NAME)
    if name == NOISE_PTABLE_NAME:
        return noise_ptable()
    if name == ONS_10_5_NAME:
        return pd.read_csv(ons_10_5_path())[["pcv", "ckey", "pvalue"]].astype("int64")
    raise UserError(f"the build used ptable {name!r}: pass it with --ptable FILE")


def audit_files(
    served: Path,
    workspace: Path,
    *,
    sample: int | None = None,
    seed: int = 0,
    report: Path | None = None,
    ptable: Path | None = None,
    threshold: int = 10,
    cells_csv: Path | None = None,
) -> AuditResult:
    """Attack the served catalogue with the workspace's truth; write the report if asked."""
    for path, what in ((served, "served database"), (workspace, "workspace")):
        if not path.is_file():
            raise UserError(f"{what} {path} does not exist")
    ref = reference(served)
    meta = dict(ref.pop("meta", pd.DataFrame(columns=["key", "value"])).itertuples(index=False))
    if meta.get("role") == "workspace":
        raise UserError(f"{served} is a workspace file: --db takes the served database")
    table = (
        pd.read_csv(ptable)[["pcv", "ckey", "pvalue"]].astype("int64")
        if ptable is not None
        else _ptable(served, workspace, meta)
    )
    cells = load(served, workspace)
    result = run_audit(
        cells,
        ref,
        table,
        threshold=threshold,
        ptable_name=str(ptable) if ptable else meta.get("ptable", ""),
        sample=sample,
        seed=seed,
    )
    if report is not None:
        source = (
            f"Served database {served.name} (build {meta.get('build_id', '?')}, data to "
            f"{meta.get('data_date', '?')}, synthetic: {meta.get('synthetic', '?')}); truth from "
            f"{workspace.name}; seed {seed}; "
            + (f"sampled: {sample:,} targets per measure." if sample else "full run: every target.")
        )
        write_report(result, report, source)
    if cells_csv is not None:
        write_cells_csv(result, cells_csv)
    return result


def write_report(r: AuditResult, path: Path, source: str) -> Path:
    """Markdown for .md, HTML otherwise; written atomically."""
    bs = blocks(r, source)
    text = to_markdown(bs) if path.suffix.lower() == ".md" else to_html(bs)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_cells_csv(r: AuditResult, path: Path) -> Path:
    """Every attacked cell's residual risk (key, measure, the attacker's estimate, its sd and
    the probability it puts on the true value). Derived from the truth, so it is written
    readable by its owner only and belongs with the workspace, not beside the served file."""
    res = r.protected.results
    cells = r.cells
    keys = {
        col: cells.vocab[dim][col].to_numpy()[cells.codes[dim][res["cell"].to_numpy()]]
        for dim, cols in DIMENSIONS.items()
        for col in cols
    }
    frame = pd.DataFrame(keys).assign(
        measure=res["measure"].to_numpy(),
        published=np.where(res["published"] == -1, "[c]", res["published"].astype(str)),
        estimate=res["estimate"].round(2).to_numpy(),
        sd=res["sd"].round(2).to_numpy(),
        certainty_of_true_value=res["p_true"].round(3).to_numpy(),
        recovered=res["recovered"].to_numpy(),
    )
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            frame.to_csv(fh, index=False)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
