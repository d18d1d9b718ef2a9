"""The pseudonymisation key: where it comes from, how it is named, how it is used.

Ids are replaced by HMAC-SHA256(key, "person:" + id) and HMAC-SHA256(key, "agreement:" + id).
Record keys (0..255, for cell key perturbation) are the first byte of
HMAC-SHA256(key, "record-key:person:" + id) (and "record-key:agreement:"): a generator seeded
by the key, so a rebuild of the same extract gives the same record keys and an attacker
comparing two builds learns nothing new, while without the key they cannot be recomputed.

The HMAC runs inside DuckDB (sha256 of the padded key and message), which is several times
faster than Python at ten million ids; :func:`hmac_hex` is the reference the tests compare to.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from care_atlas.errors import UserError

#: Environment variable that may hold the key (its UTF-8 bytes).
KEY_ENV = "CARE_ATLAS_PSEUDONYM_KEY"
#: The published demo key. It protects nothing: demo builds record key_is_demo = "true".
DEMO_KEY = b"care-atlas-demo-key: public, for synthetic data only"
#: A shorter key is too easy to guess.
MIN_KEY_BYTES = 16
_BLOCK = 64  # SHA-256 block size


def key_id(key: bytes) -> str:
    """A name for the key that can be stored and compared without revealing it."""
    return hashlib.sha256(key).hexdigest()[:12]


def hmac_hex(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """The inner and outer padded keys of RFC 2104, so SQL can compute the HMAC."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def check_key(key: bytes, source: str) -> bytes:
    if len(key) < MIN_KEY_BYTES:
        raise UserError(
            f"the pseudonymisation key from {source} is {len(key)} bytes; use at least "
            f"{MIN_KEY_BYTES} random bytes (e.g. `openssl rand -hex 32 > key.txt`)"
        )
    return key


def read_key_file(path: Path) -> bytes:
    """The key file's bytes, without surrounding whitespace (a trailing newline is common)."""
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise UserError(f"cannot read key file {path}: {exc.strerror or exc}") from exc
    return check_key(key, f"key file {path}")


def resolve_key(key_file: Path | None, demo: bool) -> tuple[bytes, bool]:
    """The key and whether it is the demo key: --key-file, else $CARE_ATLAS_PSEUDONYM_KEY,
    else --demo-key; with none of them, a message saying how to supply one."""
    if key_file is not None:
        return read_key_file(key_file), False
    env = os.environ.get(KEY_ENV, "").strip()
    if env:
        return check_key(env.encode("utf-8"), f"${KEY_ENV}"), False
    if demo:
        return DEMO_KEY, True
    raise UserError(
        f"no pseudonymisation key: pass --key-file FILE, set {KEY_ENV}, or pass --demo-key "
        "for synthetic data (the demo key is public and is recorded as such)"
    )
