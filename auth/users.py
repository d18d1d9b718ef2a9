"""Built-in users: names, roles and argon2id password hashes in one JSON file (0600).

The file lives under var/ (outside git) unless CARE_ATLAS_USERS_FILE says otherwise. It is
rewritten atomically (temporary file, fsync, rename), and servers re-read it when it changes,
so removing a user ends their sessions on their next request.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from auth.roles import ROLES
from care_atlas.errors import UserError

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024
#: argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile).
DEFAULT_HASHER = PasswordHasher()


class UsersFileError(UserError):
    """The users file is unreadable or malformed."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str
    created: str


def check_username(name: str) -> str:
    if not USERNAME.match(name or ""):
        raise UserError(
            "user names are 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter "
            "or digit"
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError(f"passwords need at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise UserError(f"passwords have at most {MAX_PASSWORD_CHARS} characters")
    return password


class UserStore:
    """Read, change and verify the users file at ``path``."""

    def __init__(self, path: Path, hasher: PasswordHasher = DEFAULT_HASHER) -> None:
        self.path = Path(path)
        self.hasher = hasher  # hashes new passwords; a hash's own parameters verify it
        self._cache: tuple[tuple[int, int], dict[str, User]] | None = None
        self._dummy_hash: str | None = None

    def load(self) -> dict[str, User]:
        """All users by name ({} when the file does not exist yet); re-read when it changes."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise UsersFileError(f"cannot read the users file {self.path}: {exc}") from exc
        stamp = (stat.st_mtime_ns, stat.st_size)
        if self._cache is not None and self._cache[0] == stamp:
            return self._cache[1]
        users = self._parse()
        self._cache = (stamp, users)
        return users

    def _parse(self) -> dict[str, User]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            entries = raw["users"]
            users = {
                name: User(name, str(e["role"]), str(e["hash"]), str(e.get("created", "")))
                for name, e in entries.items()
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UsersFileError(
                f"the users file {self.path} is not readable ({type(exc).__name__}); "
                "fix or remove it, then add users again"
            ) from exc
        for user in users.values():
            if user.role not in ROLES:
                raise UsersFileError(
                    f"{self.path}: user {user.name!r} has unknown role {user.role!r}"
                )
        return users

    def _save(self, users: dict[str, User]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        body = {
            "version": 1,
            "users": {
                u.name: {"role": u.role, "hash": u.password_hash, "created": u.created}
                for u in sorted(users.values(), key=lambda u: u.name)
            },
        }
        fd, tmp = tempfile.mkstemp(prefix=".users-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(body, fh, indent=2)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._cache = None

    def add(self, name: str, password: str, role: str, *, replace: bool = False) -> User:
        """Add a user (or, with replace, reset their password and role)."""
        check_username(name)
        check_password(password)
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        users = dict(self.load())
        if name in users and not replace:
            raise UserError(f"user {name!r} exists; use --replace to reset their password")
        created = datetime.now(UTC).isoformat(timespec="seconds")
        users[name] = User(name, role, self.hasher.hash(password), created)
        self._save(users)
        return users[name]

    def remove(self, name: str) -> None:
        users = dict(self.load())
        if name not in users:
            raise UserError(f"no user {name!r}")
        del users[name]
        self._save(users)

    def verify(self, name: str, password: str) -> User | None:
        """The user when the password matches, else None (same work either way)."""
        users = self.load()
        user = users.get(name)
        if len(password) > MAX_PASSWORD_CHARS:
            return None
        if user is None and self._dummy_hash is None:
            # Verified against when the name is unknown: a wrong name costs a wrong password.
            self._dummy_hash = self.hasher.hash("care-atlas: no such user")
        try:
            self.hasher.verify(user.password_hash if user else self._dummy_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        return user
