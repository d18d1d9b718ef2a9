"""``care-atlas build``: turn a raw extract into the serving database the app reads."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
from pathlib import Path

from care_atlas.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "build",
        help="validate, pseudonymise and pre-aggregate a raw extract into a serving database",
        description=(
            "Build a read-only serving DuckDB file from a raw agreement extract (CSV, Parquet "
            "or .xlsx). Bad rows go to <out>.quarantine.csv; a summary prints at the end."
        ),
    )
    p.add_argument("--extract", required=True, type=Path, help="raw extract file")
    p.add_argument("--out", required=True, type=Path, help="serving database to write")
    p.add_argument("--mapping", type=Path, help="TOML file mapping your headers to ours")
    p.add_argument("--key-file", type=Path, help="file holding the pseudonymisation key")
    p.add_argument(
        "--demo-key",
        action="store_true",
        help="use the public demo key (synthetic data only; recorded in the database)",
    )
    p.add_argument("--catalogue", type=Path, help="element catalogue CSV (default: shipped)")
    p.add_argument(
        "--ptable",
        type=Path,
        help="perturbation table CSV in the ONS format (default: the Care Atlas cell-key noise table)",
    )
    p.add_argument(
        "--regions",
        type=Path,
        help="the council's region sets, TOML (default: care_atlas/reference/regions.toml, "
        "the thesis's North / East / South)",
    )
    p.add_argument(
        "--as-of",
        type=_iso_date,
        help="data date YYYY-MM-DD (default: the manifest's, else the latest date in the extract)",
    )
    p.add_argument("--geography-dir", type=Path, help="geography folder (default: settings)")
    p.add_argument("--synthetic", action="store_true", help="mark the data as synthetic")
    p.add_argument("--quiet", action="store_true", help="no progress bar, summary only")
    p.add_argument(
        "--no-audit",
        action="store_true",
        help="skip the sampled privacy audit that otherwise runs before anything is published",
    )
    p.set_defaults(func=run)


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _interrupt_on_sigterm() -> None:
    """Make SIGTERM behave like Ctrl-C, so the build cleans up its work folder on the way out."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def format_summary(summary) -> str:  # summary: ingest.build.BuildSummary
    from ingest.workspace import workspace_path

    lines = [
        f"rows read {summary.rows_read:,} = loaded {summary.rows_loaded:,} "
        f"+ quarantined {summary.rows_quarantined:,}",
    ]
    quarantined = {k: v for k, v in summary.quarantine.items() if v}
    if quarantined:
        lines.append("quarantined, by reason:")
        lines += [f"  {code:<26} {n:>10,}" for code, n in quarantined.items()]
    repaired = {k: v for k, v in summary.repairs.items() if v}
    if repaired:
        lines.append("repaired (loaded), by reason:")
        lines += [f"  {code:<26} {n:>10,}" for code, n in repaired.items()]
    lines.append(f"data date {summary.data_date}; {summary.seconds:.1f} s")
    if summary.step_seconds:
        lines.append("seconds per step:")
        lines += [f"  {name:<26} {s:>10.1f}" for name, s in summary.step_seconds.items()]
    if summary.cells:
        total = sum(n for n, _ in summary.cells.values())
        published = sum(p for _, p in summary.cells.values())
        lines.append(
            f"cells: {total:,} ({published:,} with people published, "
            f"{total - published:,} [c]); by level and period kind:"
        )
        lines += [f"  {key:<26} {n:>10,} {p:>10,}" for key, (n, p) in summary.cells.items()]
    mb = 1 << 20
    lines.append(f"served database:  {summary.out} ({summary.served_bytes / mb:,.1f} MB)")
    lines.append(
        f"workspace:        {workspace_path(summary.out)} ({summary.workspace_bytes / mb:,.1f} MB, "
        "person-level: keep it where the council keeps its extracts, never on the web server)"
    )
    lines.append(f"quarantine file:  {summary.quarantine_path}")
    if summary.audit:
        lines.append(f"audit: {summary.audit}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from care_atlas.config import load_settings
    from ingest.build import build_serving_database
    from ingest.keys import resolve_key

    key, is_demo = resolve_key(args.key_file, args.demo_key)
    settings = load_settings(geography_dir=args.geography_dir)
    if not settings.geography_dir.is_dir():
        raise UserError(f"geography folder not found: {settings.geography_dir}")
    _interrupt_on_sigterm()
    summary = build_serving_database(
        args.extract,
        args.out,
        key=key,
        key_is_demo=is_demo,
        mapping=args.mapping,
        catalogue=args.catalogue,
        as_of=args.as_of,
        settings=settings,
        progress=not args.quiet and sys.stderr.isatty(),
        synthetic=args.synthetic,
        ptable=args.ptable,
        regions=args.regions,
        audit=not args.no_audit,
    )
    print(format_summary(summary))
    return 0
