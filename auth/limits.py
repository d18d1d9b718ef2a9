"""Per-user request limits, shared by every worker process: rate, concurrency and in-flight.

One user must not be able to slow everyone else down (issue 19 #4: sixteen parallel requests
for a 12.5 MB answer moved another user's 7 ms request to 2.2 s). Each signed-in user (in demo
mode, each address) gets:

- a request rate: a token bucket of ``burst`` requests refilled at ``rate`` a second, kept in
  a SQLite file under var/auth/ that all workers update in one transaction per request;
- a concurrency limit: at most ``concurrency`` of their requests run at once across all
  workers; a further request waits (up to ``queue_seconds``) for one of them to finish;
- an in-flight limit: at most ``in_flight`` requests running or waiting; more are refused at
  once, so a flood costs the server a quick 429 each, not a thread.

The two slot limits are ``flock`` locks on small files (one per slot and user): the kernel
releases them when a request ends or its worker dies, so nothing can leak a slot. The default
in-flight limit (6) is what one browser tab sends at most (browsers open 6 connections per
site, and a screen's callbacks go out together), so a normal user is never refused.
"""

from __future__ import annotations

import fcntl
import hashlib
import math
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from auth.sqlite_state import SharedSqlite

SCHEMA = """
CREATE TABLE IF NOT EXISTS buckets (key TEXT PRIMARY KEY, tokens REAL NOT NULL, updated REAL NOT NULL);
"""
#: How often a waiting request looks for a free slot (seconds).
POLL_SECONDS = 0.01


@dataclass(frozen=True)
class Refusal:
    """A request the limits refuse: the field and message for the 429, and when to retry."""

    field: str
    message: str
    retry_after: int


@dataclass
class Ticket:
    """The slots a running request holds; released when the request ends."""

    fds: list[int] = field(default_factory=list)

    def release(self) -> None:
        while self.fds:
            os.close(self.fds.pop())  # closing the file drops its flock


@dataclass
class RequestLimiter:
    directory: Path
    rate: float = 20.0
    burst: int = 120
    concurrency: int = 2
    in_flight: int = 6
    queue_seconds: float = 10.0

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._db = SharedSqlite(self.directory / "rates.sqlite3", SCHEMA, durable=False)

    def admit(self, who: str) -> Ticket | Refusal:
        """Count the request and take its slots, or say why not (nothing held then)."""
        refused = self._take_token(who)
        if refused is not None:
            return refused
        stem = self.directory / hashlib.sha256(who.encode()).hexdigest()[:24]
        ticket = Ticket()
        if not self._lock_any(ticket, stem, "q", self.in_flight):
            return Refusal(
                "requests",
                f"too many requests at once: at most {self.in_flight} may run or wait per user; "
                "wait for the earlier ones to finish",
                1,
            )
        deadline = time.monotonic() + self.queue_seconds
        while not self._lock_any(ticket, stem, "r", self.concurrency):
            if time.monotonic() >= deadline:
                ticket.release()
                return Refusal(
                    "requests",
                    "your earlier requests are still running; try again in a moment",
                    1,
                )
            time.sleep(POLL_SECONDS * (0.5 + random.random()))
        return ticket

    def _take_token(self, who: str) -> Refusal | None:
        with self._db.transaction() as con:
            now = time.time()
            row = con.execute(
                "SELECT tokens, updated FROM buckets WHERE key = ?", (who,)
            ).fetchone()
            tokens = float(self.burst) if row is None else row[0]
            if row is not None:
                tokens = min(float(self.burst), tokens + max(0.0, now - row[1]) * self.rate)
            if tokens < 1.0:
                wait = math.ceil((1.0 - tokens) / self.rate)
                con.execute(
                    "UPDATE buckets SET tokens = ?, updated = ? WHERE key = ?", (tokens, now, who)
                )
                return Refusal(
                    "requests",
                    f"too many requests: at most {self.rate:g} a second per user "
                    f"(bursts of {self.burst}); try again in {wait} s",
                    max(1, wait),
                )
            con.execute("INSERT OR REPLACE INTO buckets VALUES (?, ?, ?)", (who, tokens - 1.0, now))
        return None

    @staticmethod
    def _lock_any(ticket: Ticket, stem: Path, kind: str, slots: int) -> bool:
        """Take one free slot of ``kind`` (in random order: no slot is always tried first)."""
        order = list(range(slots))
        random.shuffle(order)
        for slot in order:
            fd = os.open(f"{stem}.{kind}{slot}", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            except BaseException:
                os.close(fd)
                raise
            ticket.fds.append(fd)
            return True
        return False
