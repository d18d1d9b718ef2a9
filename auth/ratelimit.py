"""Sign-in attempts slowed down by exponential back-off, counted atomically across workers.

Every attempt is counted *before* its password is checked, in one SQLite transaction that
every gunicorn worker shares (``BEGIN IMMEDIATE``): the check and the count cannot be split,
so fifteen wrong passwords sent at once get exactly as many real password checks as the free
attempts allow, and the rest are told to wait. A correct password takes its own attempt back.

Counters, each forgotten one window after its last attempt:

- per (name, address): ``max_failures`` free attempts, then each further attempt waits
  1, 2, 4, ... seconds, up to the window. This is what a guesser meets; the real user
  signing in from another address is not slowed by it.
- per address, across names: four times as many free attempts (a shared office address),
  then the same back-off; stops one address from trying every name.
- per name, across addresses: four times as many free attempts, then a back-off capped at
  one minute, so a guesser spread over many addresses is slowed to about one try a minute.
  An address this name has signed in from in the last 30 days is exempt from it, so nobody
  elsewhere can keep the real user out by using up the name's attempts (the old hard
  lock-out let anyone lock a named user out for 15 minutes).
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from pathlib import Path

from auth.sqlite_state import SharedSqlite

#: Free attempts per address, and per name, as multiples of max_failures.
PER_ADDRESS_FACTOR = 4
PER_NAME_FACTOR = 4
#: Longest wait the name-wide counter imposes (seconds).
PER_NAME_MAX_DELAY = 60.0
#: First back-off step (seconds); each further attempt doubles it.
BASE_DELAY = 1.0
#: An address a name signed in from is exempt from the name-wide counter for this long.
KNOWN_ADDRESS_SECONDS = 30 * 24 * 3600

SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    last REAL NOT NULL,
    next_allowed REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS known (key TEXT PRIMARY KEY, last REAL NOT NULL);
"""


@dataclass(frozen=True)
class Decision:
    """May this attempt check the password? If not, how long to wait."""

    allowed: bool
    retry_after: int = 0


@dataclass
class LoginRateLimiter:
    directory: Path
    max_failures: int = 5
    window_seconds: int = 900

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._db = SharedSqlite(self.directory / "attempts.sqlite3", SCHEMA, durable=False)

    def _counters(self, name: str, address: str) -> list[tuple[str, int, float]]:
        """(key, free attempts, longest wait) for each counter this attempt uses."""
        who = name.lower()[:64]
        window = float(self.window_seconds)
        return [
            (f"pair:{who}\x00{address}", self.max_failures, window),
            (f"addr:{address}", self.max_failures * PER_ADDRESS_FACTOR, window),
            (
                f"name:{who}",
                self.max_failures * PER_NAME_FACTOR,
                min(window, PER_NAME_MAX_DELAY),
            ),
        ]

    def _delay(self, count: int, free: int, longest: float) -> float:
        """The wait before the next attempt after ``count`` counted attempts."""
        if count < free:
            return 0.0
        return min(longest, BASE_DELAY * 2.0 ** min(count - free, 30))

    def attempt(self, name: str, address: str, now: float | None = None) -> Decision:
        """Count one attempt, atomically with checking whether it may go ahead."""
        counters = self._counters(name, address)
        with self._db.transaction() as con:
            now = time.time() if now is None else now  # read under the lock: in order
            known = con.execute(
                "SELECT last FROM known WHERE key = ?", (counters[0][0],)
            ).fetchone()
            if known is not None and now - known[0] < KNOWN_ADDRESS_SECONDS:
                counters = counters[:2]  # this name signs in from here: not the name's counter
            rows = {}
            wait = 0.0
            for key, _free, _longest in counters:
                row = con.execute(
                    "SELECT count, last, next_allowed FROM attempts WHERE key = ?", (key,)
                ).fetchone()
                if row is not None and now - row[1] > self.window_seconds:
                    row = None  # forgotten: no attempt for a whole window
                rows[key] = row
                if row is not None and now < row[2]:
                    wait = max(wait, row[2] - now)
            if wait > 0:
                return Decision(False, max(1, math.ceil(wait)))
            for key, free, longest in counters:
                count = (rows[key][0] if rows[key] is not None else 0) + 1
                delay = self._delay(count, free, longest)
                con.execute(
                    "INSERT OR REPLACE INTO attempts VALUES (?, ?, ?, ?)",
                    (key, count, now, now + delay if delay > 0 else 0.0),
                )
            if random.random() < 0.02:  # now and then, forget old counters
                con.execute("DELETE FROM attempts WHERE last < ?", (now - self.window_seconds,))
                con.execute("DELETE FROM known WHERE last < ?", (now - KNOWN_ADDRESS_SECONDS,))
        return Decision(True)

    def succeeded(self, name: str, address: str, now: float | None = None) -> None:
        """The password was right: clear this name and address's back-off, remember the
        address for this name, and give the attempt back to the shared counters."""
        now = time.time() if now is None else now
        pair, *shared = self._counters(name, address)
        with self._db.transaction() as con:
            con.execute("DELETE FROM attempts WHERE key = ?", (pair[0],))
            con.execute("INSERT OR REPLACE INTO known VALUES (?, ?)", (pair[0], now))
            for key, free, longest in shared:
                row = con.execute(
                    "SELECT count, last FROM attempts WHERE key = ?", (key,)
                ).fetchone()
                if row is None:
                    continue
                count = max(0, row[0] - 1)
                delay = self._delay(count, free, longest)
                con.execute(
                    "UPDATE attempts SET count = ?, next_allowed = ? WHERE key = ?",
                    (count, row[1] + delay if delay > 0 else 0.0, key),
                )
