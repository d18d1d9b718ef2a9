"""The ``care-atlas`` command: one entry point, a subcommand per job.

Each subsystem registers its own subcommands (``register(subparsers)`` in its ``cli`` module)
and keeps heavy imports inside the handler, so ``care-atlas --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from care_atlas import __version__
from care_atlas.errors import UserError

#: Modules that contribute subcommands, in help order.
SUBCOMMAND_MODULES: tuple[str, ...] = (
    "synth.cli",
    "boundaries.cli",
    "ingest.cli",
    "care_atlas.demo",
    "dashboard.cli",
    "audit.cli",
)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one clear line and exit 2 (no usage dump)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="care-atlas", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"care-atlas {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue  # that subsystem is not installed in this checkout
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"care-atlas {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"care-atlas {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # last resort: one line, never a traceback unless asked for
        if os.environ.get("CARE_ATLAS_DEBUG"):
            raise
        print(
            f"care-atlas {args.command}: unexpected error: {type(exc).__name__}: {exc} "
            "(set CARE_ATLAS_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
