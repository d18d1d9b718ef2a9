"""The served database of one worker, reopened when a rebuild is renamed over its file.

``care-atlas build`` publishes by ``os.replace``: the path names the new file while an open
connection still reads the old one. A :class:`LiveDatabase` looks at the path's identity (a
``stat``, at most once a second, by one request at a time), opens a changed file exactly as at
start (:func:`queries.open_database` plus the app's own check), and serves it to the requests
that start afterwards. A request keeps the Database it first used until it ends; the old
Database is closed when its last request ends. A replacement that cannot be served is refused
with one warning, and the old file goes on being served. No thread is started: the work is
done in the request that notices the change.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import g, has_app_context

from queries import Database, DatabaseError, open_database

log = logging.getLogger(__name__)

#: Seconds between two looks at the served file in one worker.
CHECK_INTERVAL = 1.0
_PINNED = "care_atlas_db"
_NOTHING = object()

Stamp = tuple[int, int, int, int]


def file_stamp(path: Path) -> Stamp | None:
    """What changes when a file is replaced or rewritten; None if it is not there."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


class _Generation:
    """One opened file and the requests using it."""

    def __init__(self, db: Database, stamp: Stamp | None) -> None:
        self.db = db
        self.stamp = stamp
        self.users = 0
        self.retired = False


class LiveDatabase:
    """Stands for the served Database: attributes are those of the one the request uses."""

    def __init__(
        self,
        db: Database,
        *,
        stamp: Stamp | None = None,
        threads: int | None = None,
        check: Callable[[Database], str | None] = lambda _db: None,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``stamp``: the file's :func:`file_stamp` taken before ``db`` was opened (taken now
        if not given). ``check``: why a newly opened Database must not be served, or None."""
        self.path = Path(db.path)
        self._current = _Generation(db, stamp if stamp is not None else file_stamp(self.path))
        self._threads = threads
        self._check = check
        self._interval = CHECK_INTERVAL if interval is None else interval
        self._clock = clock
        self._lock = threading.Lock()
        self._next_look = clock() + self._interval
        self._looking = False
        self._refused: object = _NOTHING  # the stamp of a replacement refused already

    @classmethod
    def open(cls, path: Path, *, threads: int | None = None, **kwargs: Any) -> LiveDatabase:
        stamp = file_stamp(path)
        return cls(open_database(path, threads=threads), stamp=stamp, threads=threads, **kwargs)

    # -- the Database a caller gets ---------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)

    def get(self) -> Database:
        """The request's Database (pinned on its first use), else the newest one."""
        if not has_app_context():
            return self._current.db
        generation = g.get(_PINNED)
        if generation is None:
            generation = self.acquire()
            setattr(g, _PINNED, generation)
        return generation.db

    def release_request(self, _exc: BaseException | None = None) -> None:
        """Teardown hook: the request no longer uses its Database."""
        generation = g.pop(_PINNED, None)
        if generation is not None:
            self.release(generation)

    def install(self, server: Any) -> None:
        """Release each request's Database when the request ends."""
        server.teardown_appcontext(self.release_request)

    def acquire(self) -> _Generation:
        """The newest Database, counted as in use until :meth:`release`."""
        self.refresh()
        with self._lock:
            generation = self._current
            generation.users += 1
            return generation

    def release(self, generation: _Generation) -> None:
        with self._lock:
            generation.users -= 1
            finished = generation.retired and generation.users == 0
        if finished:
            generation.db.close()

    # -- noticing and opening a rebuilt file ------------------------------------------------

    def refresh(self, *, force: bool = False) -> bool:
        """Open the file if it was replaced (looked at once per interval); True if swapped."""
        with self._lock:
            now = self._clock()
            if self._looking or (now < self._next_look and not force):
                return False
            self._next_look = now + self._interval
            stamp = file_stamp(self.path)
            if stamp == self._current.stamp or stamp == self._refused:
                return False
            self._looking = True
        try:
            return self._reopen(stamp)
        finally:
            with self._lock:
                self._looking = False

    def _open_checked(self) -> tuple[Database | None, str]:
        """The file opened and checked as at start, or None and why not."""
        try:
            new = open_database(self.path, threads=self._threads)
        except DatabaseError as exc:
            return None, str(exc)
        except Exception as exc:  # anything else about the new file: keep the old one
            return None, f"{type(exc).__name__}: {exc}"
        try:
            reason = self._check(new)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
        if reason:
            new.close()
            return None, reason
        return new, ""

    def _reopen(self, stamp: Stamp | None) -> bool:
        new, reason = self._open_checked() if stamp is not None else (None, "it is not there")
        if new is None:
            with self._lock:
                self._refused = stamp
            log.warning(
                "the served database %s changed but cannot be served (%s); still serving build %s",
                self.path,
                reason,
                self._current.db.meta.get("build_id", "-"),
            )
            return False
        with self._lock:
            old, self._current = self._current, _Generation(new, stamp)
            self._refused = _NOTHING
            old.retired = True
            finished = old.users == 0
        if finished:
            old.db.close()
        log.warning(
            "serving the rebuilt database %s: build %s (was %s)",
            self.path,
            new.meta.get("build_id", "-"),
            old.db.meta.get("build_id", "-"),
        )
        return True

    def close(self) -> None:
        """Close the newest Database (for tests and the app's refusal paths)."""
        with self._lock:
            generation = self._current
            generation.retired = True
            finished = generation.users == 0
        if finished:
            generation.db.close()
