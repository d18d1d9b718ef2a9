"""The shared result cache's read path: one computation per result, however many ask at once.

Server workers share an on-disk cache (diskcache, SQLite underneath). Without care, requests
for a result nobody has computed yet each compute it: one screen asks for the element
distribution twice (the compare chart picks its default pair from it), and a meeting's worth of
people opening the same shared link all ask at once. So the first asker computes under a
per-result lock, taken with `cache.add` (atomic across processes), and the others wait for its
result to appear. The lock expires, so a worker that dies while computing holds nobody up for
long, and a waiter past its deadline computes the result itself.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

#: How long a waiter waits for another worker's computation before doing it itself.
WAIT_SECONDS = 30.0
#: How long a lock outlives a worker that died holding it.
LOCK_EXPIRE_SECONDS = 60.0
#: How often a waiter looks for the result.
POLL_SECONDS = 0.005


def get_or_compute(cache: Any, key: Hashable, compute: Callable[[], T]) -> T:
    """The cached value of `key`, computing it (once across processes) when it is missing.

    `cache` is a diskcache.Cache (get, set, add, delete); None values are never cached.
    """
    hit = cache.get(key)
    if hit is not None:
        return hit
    lock = ("computing", key)
    owned = cache.add(lock, os.getpid(), expire=LOCK_EXPIRE_SECONDS, retry=True)
    deadline = time.monotonic() + WAIT_SECONDS
    while not owned:
        time.sleep(POLL_SECONDS)
        hit = cache.get(key)
        if hit is not None:
            return hit
        if time.monotonic() > deadline:
            break  # the holder is slow or gone: compute here rather than keep a user waiting
        if lock not in cache:
            # Released without a result (the holder's computation failed): take over. Only
            # then try the lock: `add` is a write, and SQLite serialises writes, so waiters
            # trying it every poll would queue against the holder's own `set`.
            owned = cache.add(lock, os.getpid(), expire=LOCK_EXPIRE_SECONDS, retry=True)
    try:
        if owned:
            # The result may have landed between our last look and taking the lock.
            hit = cache.get(key)
            if hit is not None:
                return hit
        value = compute()
        cache.set(key, value)
        return value
    finally:
        if owned:
            cache.delete(lock, retry=True)
