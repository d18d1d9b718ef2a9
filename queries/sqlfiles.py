"""The SQL files shipped in queries/sql/ (each view's lookup is one of them, kept whole)."""

from __future__ import annotations

from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent / "sql"


def sql_text(name: str) -> str:
    """A SQL file shipped in queries/sql/."""
    return (SQL_DIR / name).read_text(encoding="utf-8")
