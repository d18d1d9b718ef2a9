"""Users file, sign-in setting, audit log reading and the users / audit-log commands."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from auth.audit_log import AuditLog, AuditLogError, parse_since, read_records
from auth.config import AuthConfigError, load_auth_config, secret_key
from auth.users import UsersFileError, UserStore
from care_atlas.cli import main
from care_atlas.config import load_settings
from care_atlas.errors import UserError

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct horse battery"


def test_passwords_are_stored_hashed_in_an_owner_only_file(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "auth" / "users.json", hasher=FAST)
    store.add("ana", PASSWORD, "analyst")
    text = store.path.read_text()
    assert PASSWORD not in text and "$argon2id$" in text
    assert oct(store.path.stat().st_mode & 0o777) == "0o600"
    assert store.verify("ana", PASSWORD).role == "analyst"
    assert store.verify("ana", PASSWORD + "!") is None
    assert store.verify("nobody", PASSWORD) is None


@pytest.mark.parametrize(
    ("name", "password", "role", "says"),
    [
        ("ana smith", PASSWORD, "viewer", "user names"),
        ("-ana", PASSWORD, "viewer", "user names"),
        ("ana", "short", "viewer", "at least 12"),
        ("ana", PASSWORD, "admin", "role must be"),
    ],
)
def test_bad_users_are_refused_with_a_reason(
    tmp_path: Path, name: str, password: str, role: str, says: str
) -> None:
    with pytest.raises(UserError, match=says):
        UserStore(tmp_path / "users.json", hasher=FAST).add(name, password, role)


def test_a_malformed_users_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text("{not json")
    with pytest.raises(UsersFileError, match="not readable"):
        UserStore(path).load()


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"CARE_ATLAS_USERS_FILE": str(tmp_path / "users.json"), **values}


def test_outside_demo_mode_sign_in_must_be_set_up(tmp_path: Path) -> None:
    settings = load_settings(var_dir=tmp_path)
    cases = [
        ({}, "no sign-in method is set"),
        ({"CARE_ATLAS_AUTH": "open"}, "must be one of users, header"),
        ({"CARE_ATLAS_AUTH": "users"}, "has no users yet"),
        ({"CARE_ATLAS_AUTH": "header"}, "needs CARE_ATLAS_TRUSTED_HEADER"),
        (
            {"CARE_ATLAS_AUTH": "header", "CARE_ATLAS_TRUSTED_HEADER": "X-User",
             "CARE_ATLAS_TRUSTED_PROXIES": "10.0.0.300"},
            "not an IP address",
        ),
        ({"CARE_ATLAS_AUTH": "users", "CARE_ATLAS_SECRET_KEY": "short"}, "has no users yet"),
        ({"CARE_ATLAS_IDLE_MINUTES": "ever"}, "must be a number"),
    ]  # fmt: skip
    for env, says in cases:
        with pytest.raises(AuthConfigError, match=says):
            load_auth_config(settings, demo=False, env=_env(tmp_path, **env))
    assert load_auth_config(settings, demo=True, env={}).demo


def test_a_usable_setting_and_its_stored_secret_key(tmp_path: Path) -> None:
    settings = load_settings(var_dir=tmp_path)
    UserStore(tmp_path / "users.json", hasher=FAST).add("ana", PASSWORD, "analyst")
    config = load_auth_config(settings, demo=False, env=_env(tmp_path, CARE_ATLAS_AUTH="users"))
    key_file = tmp_path / "auth" / "secret_key"
    assert config.mode == "users" and config.secret_key == key_file.read_text().strip()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert secret_key(settings, {}) == config.secret_key  # stable across workers and restarts
    key_file.chmod(0o644)
    with pytest.raises(AuthConfigError, match="chmod 600"):
        secret_key(settings, {})
    with pytest.raises(AuthConfigError, match="at least 32"):
        secret_key(settings, {"CARE_ATLAS_SECRET_KEY": "too short"})

    header = load_auth_config(
        settings,
        demo=False,
        env={
            "CARE_ATLAS_AUTH": "header",
            "CARE_ATLAS_TRUSTED_HEADER": "X-Remote-User",
            "CARE_ATLAS_TRUSTED_PROXIES": "10.0.0.5, 192.168.0.0/24",
            "CARE_ATLAS_SECRET_KEY": "x" * 40,
        },
    )
    assert header.proxy_allowed("192.168.0.77") and header.proxy_allowed("10.0.0.5")
    assert not header.proxy_allowed("10.0.0.6") and not header.proxy_allowed("garbage")
    assert header.header_role == "viewer"


def test_audit_log_appends_reads_since_and_fails_loudly(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "log" / "audit.jsonl")
    log.write({"ts": "2024-05-01T09:00:00.000Z", "user": "ana", "view": "trend", "rows": 3})
    log.write({"ts": "2024-06-01T09:00:00.000Z", "user": "vic", "view": "matrix", "rows": 9})
    with log.path.open("a") as fh:
        fh.write("half a line\n")
    everything = read_records(log.path)
    assert [r["user"] for r in everything.records] == ["ana", "vic"]
    assert everything.unreadable == 1
    since = read_records(log.path, parse_since("2024-05-15"))
    assert [r["user"] for r in since.records] == ["vic"]
    now = datetime(2024, 6, 1, 12, tzinfo=UTC)
    assert parse_since("3h", now=now) == datetime(2024, 6, 1, 9, tzinfo=UTC)
    with pytest.raises(ValueError, match="is not a date"):
        parse_since("yesterday")
    (tmp_path / "blocked").write_text("a file, not a folder")
    with pytest.raises(AuditLogError, match="cannot write the audit log"):
        AuditLog(tmp_path / "blocked" / "audit.jsonl").write({"ts": "x"})


def test_users_and_audit_log_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CARE_ATLAS_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("CARE_ATLAS_USERS_FILE", raising=False)
    monkeypatch.delenv("CARE_ATLAS_AUDIT_LOG", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "ana", "--role", "analyst", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "ana", "--password-stdin"]) == 2
    assert "exists" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "add", "vic", "--password-stdin"]) == 2
    assert "at least 12" in capsys.readouterr().err
    assert main(["users", "list"]) == 0
    listed = capsys.readouterr().out
    assert "ana" in listed and "analyst" in listed and "$argon2" not in listed
    assert main(["users", "remove", "ana"]) == 0
    assert main(["users", "remove", "ana"]) == 2
    assert "no user 'ana'" in capsys.readouterr().err

    assert main(["audit-log"]) == 2
    assert "no audit log" in capsys.readouterr().err
    log = AuditLog(tmp_path / "log" / "audit.jsonl")
    for ts, user in (("2024-05-01T09:00:00.000Z", "ana"), ("2024-06-01T09:00:00.000Z", "vic")):
        log.write(
            {"ts": ts, "user": user, "role": "viewer", "action": "query", "view": "trend",
             "filters": {"level": "ward"}, "rows": 4, "source": "api", "outcome": "ok"}
        )  # fmt: skip
    assert main(["audit-log", "--since", "2024-05-15"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "vic (viewer)" in out[0] and "level=ward" in out[0]
    assert main(["audit-log", "--json", "--user", "ana"]) == 0
    assert json.loads(capsys.readouterr().out)["user"] == "ana"
    assert main(["audit-log", "--since", "last tuesday"]) == 2
    assert "is not a date" in capsys.readouterr().err
    assert os.stat(log.path).st_mode & 0o077 == 0
