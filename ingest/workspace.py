"""Where a build works, and how its outputs replace the old ones atomically.

A build writes everything (working database, new serving database, quarantine file) inside a
hidden folder beside the output, named after the output and the building process, and moves
the finished files over the old ones with os.replace only when every step has succeeded. An
interrupted build removes its folder on the way out; one killed outright (SIGKILL, power cut)
leaves it behind, and the next build of the same output sweeps it once its process is gone.
A build that runs out of disk space stops with a plain UserError saying so (its folder is
removed, the old files are untouched).
"""

from __future__ import annotations

import contextlib
import csv
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb

from care_atlas.errors import UserError
from care_atlas.spreadsheet import neutralise

#: The quarantine file holds unit postcodes, dates of birth and raw ids: owner only, as secrets.
QUARANTINE_MODE = 0o600
_FETCH_ROWS = 10_000


def quarantine_path(out: Path) -> Path:
    """``<out>.quarantine.csv`` beside the serving database."""
    return out.with_name(out.name + ".quarantine.csv")


def workspace_path(out: Path) -> Path:
    """``<stem>.workspace.duckdb`` beside the served file: the pseudonymised person-level data
    (persons, agreements, facts, each cell's true values) for the audit and rebuilds. It never
    goes to the web server (PRIVACY.md §1)."""
    return out.with_name(f"{out.stem}.workspace{out.suffix or '.duckdb'}")


def _prefix(out: Path) -> str:
    return f".{out.name}.build-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(out: Path) -> list[Path]:
    """Remove work folders of earlier builds of ``out`` whose process no longer runs."""
    removed = []
    if not out.parent.is_dir():
        return removed
    for entry in out.parent.glob(_prefix(out) + "*"):
        pid_text = entry.name[len(_prefix(out)) :].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


@contextlib.contextmanager
def workspace(out: Path) -> Iterator[Path]:
    """A fresh work folder beside ``out``, always removed when the block exits."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        sweep_stale(out)
        folder = Path(tempfile.mkdtemp(prefix=f"{_prefix(out)}{os.getpid()}-", dir=out.parent))
    except OSError as exc:
        raise UserError(f"cannot write beside {out}: {exc.strerror or exc}") from exc
    try:
        yield folder
    except (OSError, duckdb.Error) as exc:
        if disk_full(exc):
            raise UserError(
                f"no space left on device while building {out}: free some space in "
                f"{out.parent} (the build works beside its output) and run it again; "
                f"the previous {out.name}, if any, is unchanged"
            ) from exc
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk (or the user's quota, or DuckDB's spill space) ran out."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    return any(
        sign in text
        for sign in ("no space left on device", "disk quota exceeded", "max_temp_directory_size")
    )


def publish(built: Path, out: Path, quarantine_built: Path, workspace_built: Path) -> None:
    """Move the finished files into place: the quarantine file and the workspace first, the
    served database last, so a reader that sees the new database also finds the others. The
    person-level files are readable by their owner only."""
    for path in (quarantine_built, workspace_built):
        os.chmod(path, 0o600)
    os.replace(quarantine_built, quarantine_path(out))
    os.replace(workspace_built, workspace_path(out))
    os.replace(built, out)


def write_quarantine(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> int:
    """Write ``query``'s rows (with a header) to a new CSV file at ``path``; return the rows.

    The file is created owner-only (0600) before anything is written, and every text cell is
    neutralised (:mod:`care_atlas.spreadsheet`), because council officers open it in Excel.
    """
    cursor = con.execute(query)
    header = [d[0] for d in cursor.description]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, QUARANTINE_MODE)
    os.fchmod(fd, QUARANTINE_MODE)  # whatever the umask
    rows = 0
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        while batch := cursor.fetchmany(_FETCH_ROWS):
            writer.writerows([neutralise(v) for v in row] for row in batch)
            rows += len(batch)
    return rows
