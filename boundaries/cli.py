"""``care-atlas geometry``: write the browser GeoJSON from a geography folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from care_atlas.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "geometry",
        help="write the simplified browser GeoJSON (wards, districts, sectors, hexagons)",
        description="Simplify the geography folder's polygons into one GeoJSON per map level, "
        "plus the attribution text and a manifest of the source files' sha256.",
    )
    parser.add_argument(
        "--geography-dir",
        metavar="DIR",
        help="folder of ONS / OS geography files (default: CARE_ATLAS_GEOGRAPHY_DIR or the "
        "shared Birmingham bundle)",
    )
    parser.add_argument("--out", metavar="DIR", help="where to write (default: <var dir>/geometry)")
    parser.set_defaults(func=run_geometry)


def _size(n_bytes: int) -> str:
    return f"{n_bytes / 1024:,.0f} KB" if n_bytes >= 1024 else f"{n_bytes} B"


def run_geometry(args: argparse.Namespace) -> int:
    from boundaries.browser_geometry import write_browser_geometry
    from boundaries.sources import GeographyError
    from care_atlas.config import load_settings

    settings = load_settings(geography_dir=args.geography_dir)
    if not settings.geography_dir.is_dir():
        raise UserError(f"geography folder not found: {settings.geography_dir}")
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and not out.is_dir():
        raise UserError(f"--out is not a folder: {out}")
    try:
        written = write_browser_geometry(settings, out)
    except GeographyError as exc:
        raise UserError(str(exc)) from exc
    except OSError as exc:
        raise UserError(f"cannot write the geometry: {exc}") from exc
    for name, path in written.items():
        print(f"{name:<12} {_size(path.stat().st_size):>10}  {path}")
    core = sum(written[level].stat().st_size for level in ("ward", "sector"))
    print(f"wards + sectors: {_size(core)} (from {settings.geography_dir})")
    return 0
