"""Failed sign-ins counted per name and per address, shared by all worker processes.

Counters live in a small diskcache (SQLite) under var/auth/, so N gunicorn workers do not give
a guesser N times the attempts. Each counter expires one window after its first failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import diskcache

#: Failures allowed per address in a window, across all names (a shared office address).
PER_ADDRESS_FACTOR = 4


@dataclass
class LoginRateLimiter:
    directory: Path
    max_failures: int = 5
    window_seconds: int = 900

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._cache = diskcache.Cache(str(self.directory), size_limit=16 * 1024 * 1024)

    def _keys(self, name: str, address: str) -> list[tuple[str, int]]:
        return [
            (f"name:{name.lower()[:64]}", self.max_failures),
            (f"addr:{address}", self.max_failures * PER_ADDRESS_FACTOR),
        ]

    def blocked(self, name: str, address: str) -> bool:
        """Has this name or address used up its failures for the window?"""
        return any(int(self._cache.get(k, 0)) >= limit for k, limit in self._keys(name, address))

    def failed(self, name: str, address: str) -> None:
        for key, _limit in self._keys(name, address):
            self._cache.add(key, 0, expire=self.window_seconds)
            try:
                self._cache.incr(key)
            except KeyError:  # expired between add and incr: start again
                self._cache.set(key, 1, expire=self.window_seconds)

    def succeeded(self, name: str) -> None:
        self._cache.delete(f"name:{name.lower()[:64]}")
