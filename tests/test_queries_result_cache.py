"""The shared result cache computes each result once, however many ask for it at once."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import diskcache
import pytest

from queries import result_cache
from queries.result_cache import get_or_compute


def test_concurrent_askers_share_one_computation(tmp_path: Path) -> None:
    cache = diskcache.Cache(str(tmp_path))
    calls: list[int] = []
    start = threading.Barrier(6)
    answers: list[str] = []

    def compute() -> str:
        calls.append(1)
        time.sleep(0.3)  # long enough for every asker to arrive while it runs
        return "published table"

    def ask() -> None:
        start.wait()
        answers.append(get_or_compute(cache, ("view", "state"), compute))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1]
    assert answers == ["published table"] * 6
    assert ("computing", ("view", "state")) not in cache  # the lock is gone


def test_a_failed_computation_releases_its_lock(tmp_path: Path) -> None:
    cache = diskcache.Cache(str(tmp_path))

    def fail() -> str:
        raise ValueError("bad filters")

    with pytest.raises(ValueError):
        get_or_compute(cache, "key", fail)
    assert ("computing", "key") not in cache and "key" not in cache
    assert get_or_compute(cache, "key", lambda: "then computed") == "then computed"


def test_a_waiter_computes_itself_when_the_holder_never_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = diskcache.Cache(str(tmp_path))
    cache.add(("computing", "key"), 12345)  # a worker died holding the lock
    monkeypatch.setattr(result_cache, "WAIT_SECONDS", 0.05)
    assert get_or_compute(cache, "key", lambda: "computed here") == "computed here"
    assert cache.get("key") == "computed here"
    assert ("computing", "key") in cache  # not ours to release: it expires by itself


class _CountingCache:
    """A diskcache.Cache that counts the writes `add` attempts."""

    def __init__(self, cache: diskcache.Cache) -> None:
        self.cache = cache
        self.adds = 0

    def add(self, *args: object, **kwargs: object) -> bool:
        self.adds += 1
        return self.cache.add(*args, **kwargs)

    def __getattr__(self, name: str) -> object:
        return getattr(self.cache, name)

    def __contains__(self, key: object) -> bool:
        return key in self.cache


def test_a_waiter_only_reads_while_the_holder_computes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = _CountingCache(diskcache.Cache(str(tmp_path)))
    cache.cache.add(("computing", "key"), 12345)  # another worker is computing
    monkeypatch.setattr(result_cache, "WAIT_SECONDS", 0.2)
    assert get_or_compute(cache, "key", lambda: "computed here") == "computed here"
    assert cache.adds == 1  # its first try; then reads until its deadline


def test_a_waiter_takes_over_at_once_when_the_holder_fails(tmp_path: Path) -> None:
    cache = diskcache.Cache(str(tmp_path))
    holding = threading.Event()

    def fail() -> str:
        holding.set()
        time.sleep(0.1)
        raise ValueError("bad filters")

    def holder() -> None:
        with pytest.raises(ValueError):
            get_or_compute(cache, "key", fail)

    thread = threading.Thread(target=holder)
    thread.start()
    holding.wait()
    started = time.monotonic()
    assert get_or_compute(cache, "key", lambda: "computed here") == "computed here"
    thread.join()
    assert time.monotonic() - started < 5  # not the 30 s deadline
