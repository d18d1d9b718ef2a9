"""The authentication setting, read from CARE_ATLAS_* environment variables.

Outside demo mode one of two sign-in methods must be chosen (CARE_ATLAS_AUTH): built-in users
with hashed passwords ("users") or a trusted header set by a sign-in proxy ("header"). Anything
missing or contradictory is an :class:`AuthConfigError` that says what to set, so ``serve``
refuses to start rather than starting open.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from auth.roles import ROLES
from care_atlas.config import Settings
from care_atlas.errors import UserError

AUTH_MODES: tuple[str, ...] = ("users", "header")
#: Demo mode: synthetic data, no sign-in, everyone is an analyst (the audit log is still kept).
DEMO_MODE = "demo"
MIN_SECRET_CHARS = 32
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class AuthConfigError(UserError):
    """The authentication setting is missing or wrong; the message says what to set."""


@dataclass(frozen=True)
class AuthConfig:
    """Resolved authentication setting. Build with :func:`load_auth_config`."""

    mode: str  # "users", "header" or "demo"
    secret_key: str
    audit_log: Path
    users_file: Path
    ratelimit_dir: Path
    trusted_header: str | None = None
    role_header: str | None = None
    header_role: str = "viewer"
    trusted_proxies: tuple[IpNetwork, ...] = ()
    session_hours: float = 8.0
    idle_minutes: float = 30.0
    secure_cookies: bool = False
    login_max_failures: int = 5
    login_window_seconds: int = 900
    #: Server-side session registry (default: beside the login counters, under var/auth/).
    sessions_file: Path | None = None
    #: Per-user limits (auth.limits): requests a second (sustained, and in a burst), requests
    #: running at once across workers, and running or waiting at once.
    user_rate: float = 20.0
    user_burst: int = 200
    user_concurrency: int = 2
    user_in_flight: int = 6
    user_queue_seconds: float = 10.0
    #: Seconds of running time a user's requests may use per second, and ahead of that.
    user_seconds_per_second: float = 1.0
    user_seconds_burst: float = 30.0
    #: Largest request body: Dash callback posts (they carry chart figures as state), and
    #: anything else (forms, API calls).
    max_callback_body_bytes: int = 8 * 1024 * 1024
    max_body_bytes: int = 64 * 1024
    #: Largest answer sent in one response (a bigger one is a 413-style JSON error).
    max_response_bytes: int = 32 * 1024 * 1024

    @property
    def demo(self) -> bool:
        return self.mode == DEMO_MODE

    @property
    def sessions_path(self) -> Path:
        return self.sessions_file or self.ratelimit_dir.parent / "sessions.sqlite3"

    @property
    def limits_dir(self) -> Path:
        return self.ratelimit_dir.parent / "request-limits"

    def proxy_allowed(self, address: str | None) -> bool:
        """Is ``address`` (the TCP peer) one of the allow-listed sign-in proxies?"""
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(ip in net for net in self.trusted_proxies)


def demo_refusal(meta: Mapping[str, str]) -> str | None:
    """Why a database with this metadata may not be served in demo mode (no sign-in), or None.

    Demo mode needs both marks a demo build writes: synthetic data AND the published demo key
    (key_is_demo, and the demo key's id where the build recorded one). "synthetic" alone is a
    flag any manifest beside an extract can set; a real extract is built with a real key.
    """
    from ingest.keys import DEMO_KEY, key_id

    if str(meta.get("synthetic", "")).strip().lower() != "true":
        return "its metadata does not say synthetic"
    if str(meta.get("key_is_demo", "")).strip().lower() != "true":
        return "it was not built with the demo key (key_is_demo is not true)"
    recorded = meta.get("key_id")
    if recorded is not None and recorded != key_id(DEMO_KEY):
        return "its key_id is not the demo key's"
    return None


def auth_dir(settings: Settings) -> Path:
    """Users file, secret key and login counters: under var/, outside git."""
    return settings.var_dir / "auth"


def default_audit_log(settings: Settings) -> Path:
    return settings.var_dir / "log" / "audit.jsonl"


def audit_log_path(settings: Settings, env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    raw = env.get("CARE_ATLAS_AUDIT_LOG")
    return Path(raw).expanduser().resolve() if raw else default_audit_log(settings)


def users_file_path(settings: Settings, env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    raw = env.get("CARE_ATLAS_USERS_FILE")
    return Path(raw).expanduser().resolve() if raw else auth_dir(settings) / "users.json"


def _number(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise AuthConfigError(f"{name} must be a number, not {raw[:40]!r}") from None
    if not low <= value <= high:
        raise AuthConfigError(f"{name} must be between {low:g} and {high:g}, not {value:g}")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise AuthConfigError(f"{name} must be 1 or 0, not {raw[:20]!r}")


def _proxies(raw: str) -> tuple[IpNetwork, ...]:
    out = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise AuthConfigError(
                f"CARE_ATLAS_TRUSTED_PROXIES: {part[:60]!r} is not an IP address or network"
            ) from None
    return tuple(out)


def secret_key(settings: Settings, env: Mapping[str, str] | None = None) -> str:
    """CARE_ATLAS_SECRET_KEY, else the key stored in var/auth/secret_key (made once, 0600).

    A stored key lets every worker and every restart verify the same session cookies; it is
    created with O_EXCL so two workers starting together agree on one key.
    """
    env = os.environ if env is None else env
    given = env.get("CARE_ATLAS_SECRET_KEY")
    if given is not None:
        if len(given) < MIN_SECRET_CHARS:
            raise AuthConfigError(
                f"CARE_ATLAS_SECRET_KEY must be at least {MIN_SECRET_CHARS} characters"
            )
        return given
    path = auth_dir(settings) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
            fh.flush()
            os.fsync(fh.fileno())
    if path.stat().st_mode & 0o077:
        raise AuthConfigError(f"{path} must be readable by its owner only (chmod 600 {path})")
    key = path.read_text().strip()
    if len(key) < MIN_SECRET_CHARS:
        raise AuthConfigError(f"{path} holds no usable key; delete it to make a new one")
    return key


def load_auth_config(
    settings: Settings, *, demo: bool, env: Mapping[str, str] | None = None
) -> AuthConfig:
    """The setting for serving; raises AuthConfigError saying why it cannot be used."""
    env = os.environ if env is None else env
    common = {
        "audit_log": audit_log_path(settings, env),
        "users_file": users_file_path(settings, env),
        "ratelimit_dir": auth_dir(settings) / "login-attempts",
        "sessions_file": auth_dir(settings) / "sessions.sqlite3",
        "session_hours": _number(env, "CARE_ATLAS_SESSION_HOURS", 8.0, 0.1, 24.0),
        "idle_minutes": _number(env, "CARE_ATLAS_IDLE_MINUTES", 30.0, 1.0, 24 * 60.0),
        "secure_cookies": _flag(env, "CARE_ATLAS_SECURE_COOKIES"),
        "user_rate": _number(env, "CARE_ATLAS_USER_RATE", 20.0, 0.1, 10_000.0),
        "user_burst": int(_number(env, "CARE_ATLAS_USER_BURST", 200, 1, 100_000)),
        "user_concurrency": int(_number(env, "CARE_ATLAS_USER_CONCURRENCY", 2, 1, 64)),
        "user_in_flight": int(_number(env, "CARE_ATLAS_USER_IN_FLIGHT", 6, 1, 256)),
        "user_seconds_per_second": _number(
            env, "CARE_ATLAS_USER_SECONDS_PER_SECOND", 1.0, 0.01, 1000.0
        ),
        "user_seconds_burst": _number(env, "CARE_ATLAS_USER_SECONDS_BURST", 30.0, 1.0, 100_000.0),
        "max_callback_body_bytes": int(
            _number(env, "CARE_ATLAS_MAX_BODY_MB", 8.0, 0.1, 1024.0) * 1024 * 1024
        ),
        "max_response_bytes": int(
            _number(env, "CARE_ATLAS_MAX_RESPONSE_MB", 32.0, 1.0, 4096.0) * 1024 * 1024
        ),
    }
    if common["user_in_flight"] < common["user_concurrency"]:
        raise AuthConfigError(
            "CARE_ATLAS_USER_IN_FLIGHT must be at least CARE_ATLAS_USER_CONCURRENCY"
        )
    if demo:
        # No sign-in, so no session to sign: a per-process key is enough.
        return AuthConfig(mode=DEMO_MODE, secret_key=secrets.token_hex(32), **common)
    mode = (env.get("CARE_ATLAS_AUTH") or "").strip().lower()
    if not mode:
        raise AuthConfigError(
            "no sign-in method is set, and outside demo mode nobody may see the data without "
            "signing in: set CARE_ATLAS_AUTH=users (then `care-atlas users add NAME`) or "
            "CARE_ATLAS_AUTH=header with CARE_ATLAS_TRUSTED_HEADER and CARE_ATLAS_TRUSTED_PROXIES"
        )
    if mode not in AUTH_MODES:
        raise AuthConfigError(
            f"CARE_ATLAS_AUTH must be one of {', '.join(AUTH_MODES)}, not {mode!r}"
        )
    if mode == "users":
        from auth.users import UsersFileError, UserStore

        try:
            count = len(UserStore(common["users_file"]).load())
        except UsersFileError as exc:
            raise AuthConfigError(str(exc)) from None
        if count == 0:
            raise AuthConfigError(
                f"CARE_ATLAS_AUTH=users but {common['users_file']} has no users yet: add one with "
                "`care-atlas users add NAME --role analyst`"
            )
        return AuthConfig(mode=mode, secret_key=secret_key(settings, env), **common)
    header = (env.get("CARE_ATLAS_TRUSTED_HEADER") or "").strip()
    proxies = _proxies(env.get("CARE_ATLAS_TRUSTED_PROXIES") or "")
    if not header or not proxies:
        raise AuthConfigError(
            "CARE_ATLAS_AUTH=header needs CARE_ATLAS_TRUSTED_HEADER (the header the sign-in proxy "
            "sets, e.g. X-Remote-User) and CARE_ATLAS_TRUSTED_PROXIES (the proxy's addresses)"
        )
    role = (env.get("CARE_ATLAS_HEADER_ROLE") or "viewer").strip()
    if role not in ROLES:
        raise AuthConfigError(f"CARE_ATLAS_HEADER_ROLE must be one of {', '.join(ROLES)}")
    return AuthConfig(
        mode=mode,
        secret_key=secret_key(settings, env),
        trusted_header=header,
        role_header=(env.get("CARE_ATLAS_ROLE_HEADER") or "").strip() or None,
        header_role=role,
        trusted_proxies=proxies,
        **common,
    )
