"""``care-atlas users add|remove|list`` and ``care-atlas audit-log``.

Passwords are read from the terminal (twice) or, for scripts, from standard input with
--password-stdin; they never appear on the command line, where other users could see them.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from auth.roles import ROLES
from care_atlas.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    users = subparsers.add_parser(
        "users",
        help="manage the built-in sign-in users (CARE_ATLAS_AUTH=users)",
        description="Manage built-in users: names, roles and argon2 password hashes.",
    )
    sub = users.add_subparsers(dest="users_command", metavar="ACTION")
    sub.required = True
    add = sub.add_parser("add", help="add a user (or reset one with --replace)")
    add.add_argument("name", help="user name")
    add.add_argument("--role", choices=list(ROLES), default="viewer", help="default viewer")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.add_argument("--replace", action="store_true", help="reset an existing user")
    add.set_defaults(func=run_users_add)
    remove = sub.add_parser("remove", help="remove a user (their sessions end at once)")
    remove.add_argument("name", help="user name")
    remove.set_defaults(func=run_users_remove)
    listing = sub.add_parser("list", help="list users and roles")
    listing.set_defaults(func=run_users_list)

    audit = subparsers.add_parser(
        "audit-log",
        help="print the audit log of queries and exports",
        description="Print the audit log: when, who, role, view, filters and rows returned.",
    )
    audit.add_argument("--since", help="start: 2024-05-01, 2024-05-01T09:30, or an age: 30m 12h 7d")
    audit.add_argument("--user", help="only this user's records")
    audit.add_argument("--json", action="store_true", help="print the JSON lines as stored")
    audit.set_defaults(func=run_audit_log)


def _store():  # noqa: ANN202 - auth.users.UserStore, imported late for a fast --help
    from auth.config import users_file_path
    from auth.users import UserStore
    from care_atlas.config import load_settings

    return UserStore(users_file_path(load_settings()))


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UserError("no terminal to ask for the password; use --password-stdin")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise UserError("the passwords differ; nothing changed")
    return first


def run_users_add(args: argparse.Namespace) -> int:
    store = _store()
    if args.name in store.load() and not args.replace:
        raise UserError(f"user {args.name!r} exists; use --replace to reset their password")
    user = store.add(
        args.name, _read_password(args.password_stdin), args.role, replace=args.replace
    )
    print(f"{'reset' if args.replace else 'added'} {user.name} ({user.role}) in {store.path}")
    return 0


def run_users_remove(args: argparse.Namespace) -> int:
    store = _store()
    store.remove(args.name)
    print(f"removed {args.name} from {store.path}")
    return 0


def run_users_list(args: argparse.Namespace) -> int:
    store = _store()
    users = store.load()
    if not users:
        print(f"no users in {store.path}")
        return 0
    width = max(len(name) for name in users)
    for user in sorted(users.values(), key=lambda u: u.name):
        print(f"{user.name:<{width}}  {user.role:<8}  added {user.created}")
    return 0


def run_audit_log(args: argparse.Namespace) -> int:
    import json

    from auth.audit_log import format_record, parse_since, read_records
    from auth.config import audit_log_path
    from care_atlas.config import load_settings

    path = audit_log_path(load_settings())
    try:
        since = parse_since(args.since) if args.since else None
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if not path.exists():
        raise UserError(f"no audit log at {path} yet (it starts with the first query)")
    try:
        found = read_records(path, since)
    except OSError as exc:
        raise UserError(f"cannot read the audit log {path}: {exc}") from exc
    for record in found.records:
        if args.user and record.get("user") != args.user:
            continue
        print(json.dumps(record, ensure_ascii=False) if args.json else format_record(record))
    if found.unreadable:
        print(
            f"care-atlas audit-log: {found.unreadable} unreadable line(s) skipped", file=sys.stderr
        )
    return 0
