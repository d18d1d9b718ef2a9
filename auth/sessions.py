"""Server-side record of signed-in sessions, so a session can be ended on the server.

The session cookie (signed by Flask) carries a random session id; this registry, a SQLite file
shared by every worker process, holds a hash of each live id with its user, when it started,
when it was last used, and a fingerprint of the password hash it was opened with. A request
counts as signed in only while its row exists and still matches:

- signing out deletes the row, so a copy of the cookie taken before stops working at once;
- a new password (``care-atlas users add NAME --replace``) changes the user's password hash,
  so every session opened with the old one is refused (and deleted) on its next request;
- a removed user has no password hash at all, so the same happens;
- idle and absolute time-outs are checked against the server's own times, not the cookie's.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from auth.sqlite_state import SharedSqlite

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    credential TEXT NOT NULL,
    started INTEGER NOT NULL,
    seen INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user);
"""
#: Record use of a session at most this often (each record is a write).
SEEN_REFRESH_SECONDS = 60


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def credential_fingerprint(password_hash: str) -> str:
    """Names the password a session was opened with, without storing the hash twice."""
    return hashlib.sha256(b"care-atlas session:" + password_hash.encode()).hexdigest()[:32]


@dataclass
class SessionRegistry:
    path: Path
    max_seconds: float
    idle_seconds: float

    def __post_init__(self) -> None:
        self._db = SharedSqlite(self.path, SCHEMA)

    def create(self, user: str, password_hash: str, now: int) -> str:
        """A new session for ``user``: its id, for the cookie (only a hash is stored)."""
        session_id = secrets.token_urlsafe(32)
        with self._db.transaction() as con:
            con.execute(
                "DELETE FROM sessions WHERE seen < ? OR started < ?",
                (now - self.idle_seconds, now - self.max_seconds),
            )
            con.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                (_hash(session_id), user, credential_fingerprint(password_hash), now, now),
            )
        return session_id

    def check(self, session_id: str, user: str, password_hash: str, now: int) -> bool:
        """Is this session live for this user and password? Ends it on the spot if not."""
        key = _hash(session_id)
        row = (
            self._db.connection()
            .execute(
                "SELECT user, credential, started, seen FROM sessions WHERE id_hash = ?", (key,)
            )
            .fetchone()
        )
        if row is None:
            return False
        owner, credential, started, seen = row
        if (
            owner != user
            or credential != credential_fingerprint(password_hash)
            or now - started > self.max_seconds
            or now - seen > self.idle_seconds
        ):
            self.end(session_id)
            return False
        if now - seen >= SEEN_REFRESH_SECONDS:
            with self._db.transaction() as con:
                con.execute("UPDATE sessions SET seen = ? WHERE id_hash = ?", (now, key))
        return True

    def end(self, session_id: str) -> None:
        with self._db.transaction() as con:
            con.execute("DELETE FROM sessions WHERE id_hash = ?", (_hash(session_id),))

    def end_user(self, user: str) -> int:
        """End every session of ``user``; how many there were."""
        with self._db.transaction() as con:
            return con.execute("DELETE FROM sessions WHERE user = ?", (user,)).rowcount

    def count(self, user: str) -> int:
        row = self._db.connection().execute("SELECT count(*) FROM sessions WHERE user = ?", (user,))
        return int(row.fetchone()[0])
