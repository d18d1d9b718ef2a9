"""The append-only audit log: one JSON line per query and per export, never the results.

Each record is written with a single ``write`` on a descriptor opened with O_APPEND (so lines
from concurrent worker processes never interleave) and fsync'd before the result is released.
A record that cannot be written raises :class:`AuditLogError`; the web layer turns that into a
503 for the whole request, so nothing is ever shown unrecorded.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

#: The fields of a record, in the order they are written.
FIELDS: tuple[str, ...] = (
    "ts",
    "user",
    "role",
    "action",
    "view",
    "filters",
    "rows",
    "format",
    "source",
    "outcome",
    "remote",
)
ACTIONS: tuple[str, ...] = ("query", "export")
_RELATIVE = re.compile(r"^(\d{1,6})\s*([mhd])$")


class AuditLogError(RuntimeError):
    """The audit log could not be written: the request must fail."""


@dataclass(frozen=True)
class AuditLog:
    """Appends records to ``path`` (created 0600 with its folder when missing)."""

    path: Path

    def write(self, record: dict[str, Any]) -> None:
        """Append one record durably, or raise AuditLogError."""
        line = json.dumps(
            {k: record.get(k) for k in FIELDS}, ensure_ascii=False, separators=(",", ":")
        )
        data = (line + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                written = os.write(fd, data)
                if written != len(data):
                    raise OSError(f"short write ({written} of {len(data)} bytes)")
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise AuditLogError(f"cannot write the audit log {self.path}: {exc}") from exc


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    """A start time from '2024-05-01', '2024-05-01T09:30', or relative '30m', '12h', '7d'."""
    text = text.strip()
    match = _RELATIVE.match(text)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        delta = {"m": timedelta(minutes=amount), "h": timedelta(hours=amount)}.get(
            unit, timedelta(days=amount)
        )
        return (now or datetime.now(UTC)) - delta
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"--since {text[:40]!r} is not a date (2024-05-01, 2024-05-01T09:30) or an age "
            "(30m, 12h, 7d)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ReadResult:
    records: list[dict[str, Any]]
    unreadable: int  # lines that are not records (reported, never fatal)


def read_records(path: Path, since: datetime | None = None) -> ReadResult:
    """The records at or after ``since``, in file order."""
    records: list[dict[str, Any]] = []
    unreadable = 0
    for line in _lines(path):
        try:
            record = json.loads(line)
            moment = datetime.fromisoformat(str(record["ts"]).replace("Z", "+00:00"))
        except (ValueError, KeyError, TypeError):
            unreadable += 1
            continue
        if since is None or moment >= since:
            records.append(record)
    return ReadResult(records, unreadable)


def _lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.strip():
                yield line


def format_record(record: dict[str, Any]) -> str:
    """One readable line: when, who (role), what, which filters, how many rows."""
    filters = record.get("filters") or {}
    shown = "&".join(f"{k}={v}" for k, v in sorted(filters.items())) if filters else "-"
    fmt = f" {record['format']}" if record.get("format") else ""
    rows = record.get("rows")
    return (
        f"{record.get('ts')}  {record.get('user')} ({record.get('role')})  "
        f"{record.get('action')}{fmt} {record.get('view')}  {record.get('outcome')}  "
        f"rows={'-' if rows is None else rows}  via {record.get('source')}  {shown}"
    )
