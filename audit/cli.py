"""``care-atlas audit`` (attack the query layer, report what it recovers) and
``care-atlas noise-ptable`` (write the cell-key noise ptable the audit recommends)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from care_atlas.errors import UserError

REPORT_SUFFIXES = (".md", ".html", ".htm")
MAX_PAIRS = 10_000_000


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "audit",
        help="attack the query layer like an intruder and report what it recovers",
        description=(
            "Run differencing, averaging and margin attacks against a serving database through "
            "the same query layer as the dashboard and API, then the same attacks with "
            "protection switched off (proving they can find leaks). Exit 0 when nothing is "
            "recovered, 1 when small counts are recovered, 3 when the control run found nothing."
        ),
    )
    p.add_argument("--db", required=True, type=Path, help="serving database (care-atlas build)")
    p.add_argument("--pairs", type=_pairs, default=10_000, help="pairs to try (default 10000)")
    p.add_argument("--seed", type=_whole, default=0, help="seed for the attack plan (default 0)")
    p.add_argument("--report", type=Path, help="write the report to FILE.md or FILE.html")
    p.add_argument(
        "--ptable",
        type=Path,
        help="ptable CSV the dashboard serves with (default: CARE_ATLAS_PTABLE, else the "
        "database's own)",
    )
    p.add_argument("--no-control", action="store_true", help="skip the protection-off run")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)

    n = subparsers.add_parser(
        "noise-ptable",
        help="write the cell-key noise ptable (multiples of 5, threshold 10, noise ±7)",
        description=(
            "Write a ptable CSV (pcv, ckey, pvalue) that publishes each count as one of the "
            "three multiples of 5 within 7 of it, chosen by the cell key (unbiased, consistent)."
            " Use it with care-atlas build --ptable or CARE_ATLAS_PTABLE."
        ),
    )
    n.add_argument("--out", required=True, type=Path, help="CSV file to write")
    n.set_defaults(func=run_noise_ptable)


def _whole(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    return int(text)


def _pairs(text: str) -> int:
    value = _whole(text)
    if not 1 <= value <= MAX_PAIRS:
        raise argparse.ArgumentTypeError(f"must be 1..{MAX_PAIRS}")
    return value


def run(args: argparse.Namespace) -> int:
    from audit.report import to_markdown, write_report
    from audit.runner import run_audit
    from queries import DatabaseError, FilterError

    if args.report is not None and args.report.suffix.lower() not in REPORT_SUFFIXES:
        raise UserError(f"--report must end in {', '.join(REPORT_SUFFIXES)}: {args.report}")
    if not args.db.is_file():
        raise UserError(f"serving database {args.db} does not exist")
    bar = None
    if not args.quiet:
        from tqdm import tqdm

        runs = 1 if args.no_control else 2
        bar = tqdm(total=args.pairs * runs, unit="pair", desc="audit", file=sys.stderr)
    try:
        report = run_audit(
            args.db,
            pairs=args.pairs,
            seed=args.seed,
            ptable=args.ptable,
            control=not args.no_control,
            progress=bar.update if bar is not None else None,
        )
    except (DatabaseError, FilterError) as exc:
        raise UserError(str(exc)) from exc
    except OSError as exc:
        raise UserError(f"cannot read {args.db}: {exc}") from exc
    finally:
        if bar is not None:
            bar.close()
    if args.report is not None:
        try:
            write_report(report, args.report)
        except OSError as exc:
            raise UserError(f"cannot write {args.report}: {exc}") from exc
    print(_summary(to_markdown(report)))
    return report.exit_code


def _summary(text: str) -> str:
    """The Markdown report's summary and results sections, for the terminal."""
    start = text.index("## Summary")
    end = text.index("### ", start) if "### " in text[start:] else len(text)
    return text[start:end].rstrip()


def run_noise_ptable(args: argparse.Namespace) -> int:
    from audit.ptable import noise_ptable, write_ptable

    try:
        write_ptable(noise_ptable(), args.out)
    except OSError as exc:
        raise UserError(f"cannot write {args.out}: {exc}") from exc
    print(f"wrote {args.out}")
    return 0
