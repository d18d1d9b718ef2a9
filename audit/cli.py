"""``care-atlas audit`` (attack the published catalogue, report what it gives away) and
``care-atlas noise-ptable`` (write the cell-key noise ptable)."""

from __future__ import annotations

import argparse
from pathlib import Path

from care_atlas.errors import UserError

REPORT_SUFFIXES = (".md", ".html", ".htm")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "audit",
        help="attack the published catalogue like an intruder and report what it recovers",
        description=(
            "Attack every suppressed and small published cell of the served database through "
            "every relation the catalogue offers (least squares, exact bounds, maximum "
            "likelihood with the public ptable), one person's cost from differences of cost "
            "cells, and two controls that must find leaks (protection off; free-form regions). "
            "Truth comes from the build workspace. Exit 0 clean; 1 a small count recovered or a "
            "cost pinned; 3 a control found nothing; 2 bad input."
        ),
    )
    p.add_argument("--db", required=True, type=Path, help="served database (care-atlas build)")
    p.add_argument(
        "--workspace",
        type=Path,
        help="build workspace (default: <db stem>.workspace.duckdb beside the served file)",
    )
    p.add_argument("--report", type=Path, help="write the report to FILE.md or FILE.html")
    p.add_argument("--seed", type=_whole, default=0, help="seed for samples (default 0)")
    p.add_argument(
        "--sample", type=_positive, help="attack N random targets per measure (default: all)"
    )
    p.add_argument("--ptable", type=Path, help="ptable CSV the build used (default: recorded)")
    p.add_argument(
        "--cells-csv",
        type=Path,
        help="write every attacked cell's residual risk to FILE.csv (keep it with the workspace)",
    )
    p.set_defaults(func=run)

    n = subparsers.add_parser(
        "noise-ptable",
        help="write the cell-key noise ptable (multiples of 5, threshold 10, noise ±7)",
        description=(
            "Write a ptable CSV (pcv, ckey, pvalue) that publishes each count as one of the "
            "multiples of 5 within 7 of it, chosen by the cell key (unbiased, consistent)."
            " Use it with care-atlas build --ptable or CARE_ATLAS_PTABLE."
        ),
    )
    n.add_argument("--out", required=True, type=Path, help="CSV file to write")
    n.set_defaults(func=run_noise_ptable)


def _whole(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    return int(text)


def _positive(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def default_workspace(db: Path) -> Path:
    return db.with_name(f"{db.stem}.workspace{db.suffix or '.duckdb'}")


def run(args: argparse.Namespace) -> int:
    import duckdb

    from audit.files import audit_files
    from audit.report import summary

    if args.report is not None and args.report.suffix.lower() not in REPORT_SUFFIXES:
        raise UserError(f"--report must end in {', '.join(REPORT_SUFFIXES)}: {args.report}")
    workspace = args.workspace or default_workspace(args.db)
    try:
        result = audit_files(
            args.db,
            workspace,
            sample=args.sample,
            seed=args.seed,
            report=args.report,
            ptable=args.ptable,
            cells_csv=args.cells_csv,
        )
    except duckdb.Error as exc:
        raise UserError(f"cannot read {args.db} / {workspace}: {exc}") from exc
    except OSError as exc:
        raise UserError(str(exc)) from exc
    print(summary(result))
    if args.report is not None:
        print(f"report: {args.report}")
    return result.exit_code


def run_noise_ptable(args: argparse.Namespace) -> int:
    from care_atlas.ptables import noise_ptable, write_ptable

    try:
        write_ptable(noise_ptable(), args.out)
    except OSError as exc:
        raise UserError(f"cannot write {args.out}: {exc}") from exc
    print(f"wrote {args.out}")
    return 0
