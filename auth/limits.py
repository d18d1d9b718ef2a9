"""Per-user request limits, shared by every worker process: rate, concurrency and in-flight.

One user must not be able to slow everyone else down (issue 19 #4: sixteen parallel requests
for a 12.5 MB answer moved another user's 7 ms request to 2.2 s). Each signed-in user gets (demo
mode, with no users and no sign-in, has none of these; body and answer sizes are capped there
too, in :mod:`auth.web`):

- a request rate: a token bucket of ``burst`` requests refilled at ``rate`` a second, kept in
  a SQLite file under var/auth/ that all workers update in one transaction per request;
- a concurrency limit: at most ``concurrency`` of their requests run at once across all
  workers; a further request waits (up to ``queue_seconds``) for one of them to finish,
  unless the user has used half their time budget (below): a waiting request holds a server
  thread, and a heavy user must not hold the threads everyone else needs;
- an in-flight limit: at most ``in_flight`` requests running or waiting; more are refused at
  once, so a flood costs the server a quick 429 each, not a thread;
- a time budget: the seconds their requests ran, which drain at ``seconds_per_second``; a user
  who has run more than ``seconds_burst`` ahead is refused until the budget recovers. Counting
  requests alone does not tell a 7 ms answer from a 3 s one; this does, so a user asking for
  big answers over and over is slowed to about one core's worth of the server, while a
  person clicking through the dashboard (a screen is well under a second of work) never
  meets it.

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
CREATE TABLE IF NOT EXISTS budgets (key TEXT PRIMARY KEY, used REAL NOT NULL, updated REAL NOT NULL);
"""
#: How often a waiting request looks for a free slot (seconds).
POLL_SECONDS = 0.01
#: Most one request is charged to the time budget: one slow answer (a cold cache, a server
#: fault) must not shut a person out.
MAX_CHARGE_SECONDS = 10.0
#: Past this share of the time budget, a user's requests no longer wait for a running slot.
WAIT_BELOW_BUDGET_SHARE = 0.5


@dataclass(frozen=True)
class Refusal:
    """A request the limits refuse: the field and message for the 429, and when to retry."""

    field: str
    message: str
    retry_after: int
    #: The exact wait behind retry_after (which is rounded up to whole seconds).
    wait: float = 0.0


@dataclass
class Ticket:
    """The slots a running request holds; released when the request ends."""

    fds: list[int] = field(default_factory=list)
    who: str = ""
    started: float = 0.0

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
    seconds_per_second: float = 1.0
    seconds_burst: float = 30.0

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._db = SharedSqlite(self.directory / "rates.sqlite3", SCHEMA, durable=False)
        #: who -> (refused until, refusal): a flood of refused requests is answered from
        #: memory in this worker, without a write to the shared file each time.
        self._refused: dict[str, tuple[float, Refusal]] = {}

    def admit(self, who: str) -> Ticket | Refusal:
        """Count the request and take its slots, or say why not (nothing held then)."""
        memo = self._refused.get(who)
        if memo is not None:
            until, refusal = memo
            left = until - time.monotonic()
            if left > 0:
                return Refusal(refusal.field, refusal.message, max(1, math.ceil(left)))
            self._refused.pop(who, None)
        refused, used = self._take_token(who)
        if refused is not None:
            if len(self._refused) > 10_000:
                self._refused.clear()
            self._refused[who] = (time.monotonic() + refused.wait, refused)
            return refused
        stem = self.directory / hashlib.sha256(who.encode()).hexdigest()[:24]
        ticket = Ticket(who=who)
        if not self._lock_any(ticket, stem, "q", self.in_flight):
            return Refusal(
                "requests",
                f"too many requests at once: at most {self.in_flight} may run or wait per user; "
                "wait for the earlier ones to finish",
                1,
            )
        # A user who has spent half their time budget gets no waiting room: a waiting request
        # holds one of the worker's threads, and they are everyone's.
        may_wait = used < self.seconds_burst * WAIT_BELOW_BUDGET_SHARE
        deadline = time.monotonic() + (self.queue_seconds if may_wait else 0.0)
        while not self._lock_any(ticket, stem, "r", self.concurrency):
            if time.monotonic() >= deadline:
                ticket.release()
                return Refusal(
                    "requests",
                    "your earlier requests are still running; try again in a moment",
                    1,
                )
            time.sleep(POLL_SECONDS * (0.5 + random.random()))
        # While it waited, the user's other requests may have spent the budget: look again.
        row = (
            self._db.connection()
            .execute("SELECT used, updated FROM budgets WHERE key = ?", (who,))
            .fetchone()
        )
        refused = self._budget_refusal(row, time.time())
        if refused is not None:
            ticket.release()
            return refused
        ticket.started = time.monotonic()
        return ticket

    def finish(self, ticket: Ticket) -> None:
        """The request ended: give its slots back and charge its running time to the user."""
        ticket.release()
        if not ticket.started:
            return
        spent = min(MAX_CHARGE_SECONDS, time.monotonic() - ticket.started)
        with self._db.transaction() as con:
            now = time.time()
            row = con.execute(
                "SELECT used, updated FROM budgets WHERE key = ?", (ticket.who,)
            ).fetchone()
            used = self._drained(row, now) + spent
            con.execute("INSERT OR REPLACE INTO budgets VALUES (?, ?, ?)", (ticket.who, used, now))

    def _budget_refusal(self, row: tuple[float, float] | None, now: float) -> Refusal | None:
        over = self._drained(row, now) - self.seconds_burst
        if over <= 0:
            return None
        exact = over / self.seconds_per_second
        wait = math.ceil(exact)
        return Refusal(
            "requests",
            "your recent requests have taken a large share of the server; "
            f"try again in {wait} s (smaller answers: a coarser level, fewer periods)",
            max(1, wait),
            exact,
        )

    def _drained(self, row: tuple[float, float] | None, now: float) -> float:
        if row is None:
            return 0.0
        return max(0.0, row[0] - max(0.0, now - row[1]) * self.seconds_per_second)

    def _take_token(self, who: str) -> tuple[Refusal | None, float]:
        """Take a token from the user's bucket; also how much of the time budget is used."""
        with self._db.transaction() as con:
            now = time.time()
            budget = con.execute(
                "SELECT used, updated FROM budgets WHERE key = ?", (who,)
            ).fetchone()
            used = self._drained(budget, now)
            refused = self._budget_refusal(budget, now)
            if refused is not None:
                return refused, used
            row = con.execute(
                "SELECT tokens, updated FROM buckets WHERE key = ?", (who,)
            ).fetchone()
            tokens = float(self.burst) if row is None else row[0]
            if row is not None:
                tokens = min(float(self.burst), tokens + max(0.0, now - row[1]) * self.rate)
            if tokens < 1.0:
                exact = (1.0 - tokens) / self.rate
                wait = math.ceil(exact)
                con.execute(
                    "UPDATE buckets SET tokens = ?, updated = ? WHERE key = ?", (tokens, now, who)
                )
                return Refusal(
                    "requests",
                    f"too many requests: at most {self.rate:g} a second per user "
                    f"(bursts of {self.burst}); try again in {wait} s",
                    max(1, wait),
                    exact,
                ), used
            con.execute("INSERT OR REPLACE INTO buckets VALUES (?, ?, ?)", (who, tokens - 1.0, now))
        return None, used

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
