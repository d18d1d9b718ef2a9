"""``care-atlas synth``: write a seeded synthetic raw extract and its manifest."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="write a seeded synthetic raw extract (CSV or Parquet) and its manifest",
        description=(
            "Write a synthetic extract of social care agreements at real Birmingham postcodes, "
            "shaped like the thesis's data, with planted defects counted in <out>.manifest.json."
        ),
    )
    parser.add_argument("--rows", type=int, default=215_000, help="rows to write (default 215000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True, help="output file, .csv or .parquet")
    parser.add_argument(
        "--no-mess", dest="mess", action="store_false", help="write clean rows only (no defects)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from synth.extract import write_extract

    manifest = write_extract(
        args.rows, args.seed, args.out, mess=args.mess, progress=not args.quiet
    )
    print(
        f"wrote {manifest.rows:,} rows to {args.out} "
        f"({manifest.rows_quarantined:,} planted for quarantine; seed {manifest.seed})"
    )
    return 0
