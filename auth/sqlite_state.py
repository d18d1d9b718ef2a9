"""Small SQLite files under var/auth/ that every server process shares (sessions, counters).

Gunicorn's workers are separate processes, so state that must hold across them (a signed-out
session, a failed sign-in, a user's request budget) lives in a file, not in memory. Each
process and thread opens its own connection on first use (never one inherited through a fork);
writes run in ``BEGIN IMMEDIATE`` transactions, so a read-check-write is atomic across workers.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

#: How long a writer waits for another process's transaction before giving up.
BUSY_TIMEOUT_MS = 10_000


class SharedSqlite:
    """One SQLite file, ``schema`` applied once; ``transaction()`` gives a locked cursor."""

    def __init__(self, path: Path, schema: str, *, durable: bool = True) -> None:
        self.path = Path(path)
        self.schema = schema
        self.durable = durable
        self._local = threading.local()
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        with suppress(OSError):  # owner-only, as the rest of var/auth
            os.chmod(self.path, 0o600)
        con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        con.execute("PRAGMA journal_mode = WAL")
        con.execute(f"PRAGMA synchronous = {'NORMAL' if self.durable else 'OFF'}")
        con.executescript(self.schema)
        return con

    def connection(self) -> sqlite3.Connection:
        """This thread's connection in this process (a forked child opens its own)."""
        pid = os.getpid()
        if getattr(self._local, "pid", None) != pid:
            self._local.con = self._connect()
            self._local.pid = pid
        return self._local.con

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: no other process or thread writes until it ends."""
        con = self.connection()
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
