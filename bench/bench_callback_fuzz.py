"""Fuzz the dashboard's Dash callbacks over loopback: crafted posts must never get a 5xx.

Starts ``care-atlas serve --demo`` on a free 127.0.0.1 port over --db (a synthetic database
built with the demo key; by default the 20,000-row test database, built on first use), reads
``/_dash-layout`` and ``/_dash-dependencies``, renders every page through the router callback
to learn the pattern-matched ids on the pages, then posts crafted bodies to
``/_dash-update-component`` for every callback: wrong types (int, list, dict, None, huge
strings, nested junk) for each input and state, unknown component ids, properties and views,
missing fields, malformed JSON, oversized values and hostile strings. Bounded: a fixed seed,
--posts posts (default 1,200), --time-limit seconds, loopback only.

Counts the answers by status, prints every 5xx with the callback and the body that caused it,
checks the server log holds no traceback, and exits 1 on any 5xx or traceback.

    python -m bench.bench_callback_fuzz --posts 1200 --seed 19
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.dash_wire import UPDATE
from bench.fuzz_discovery import Sender, discover
from bench.fuzz_posts import Fuzzer, Post


@dataclass
class Report:
    statuses: collections.Counter = field(default_factory=collections.Counter)
    by_kind: dict[str, collections.Counter] = field(default_factory=dict)
    failures: list[dict] = field(default_factory=list)
    posts: int = 0
    seconds: float = 0.0

    def add(self, post: Post, status: int, text: str) -> None:
        label, kind, raw, content_type = post
        self.posts += 1
        self.statuses[status] += 1
        self.by_kind.setdefault(kind, collections.Counter())[status] += 1
        if status >= 500:
            self.failures.append(
                {
                    "callback": label,
                    "kind": kind,
                    "status": status,
                    "content_type": content_type,
                    "body": raw[:600].decode("utf-8", "replace"),
                    "answer": text[:300],
                }
            )

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def run_posts(fuzzer: Fuzzer, count: int, send: Sender, time_limit: float) -> Report:
    report = Report()
    started = time.monotonic()
    for post in fuzzer.posts(count):
        if time.monotonic() - started > time_limit:
            break
        status, text = send(UPDATE, post[2], post[3])
        report.add(post, status, text)
    report.seconds = time.monotonic() - started
    return report


# --- loopback server ---------------------------------------------------------------------


def _default_db() -> Path:
    """The 20,000-row synthetic test database (demo key), built on first use."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.fixtures.extract import cached_extract
    from tests.fixtures.serving import cached_serving_db

    return cached_serving_db(cached_extract(20_000, 7, mess=True))


def _http_sender(base: str) -> tuple[Callable[[str], object], Sender]:
    import requests

    session = requests.Session()

    def get_json(path: str) -> object:
        answer = session.get(base + path, timeout=60)
        answer.raise_for_status()
        return answer.json()

    def post(path: str, data: bytes, content_type: str) -> tuple[int, str]:
        answer = session.post(
            base + path, data=data, headers={"Content-Type": content_type}, timeout=120
        )
        return answer.status_code, answer.text

    return get_json, post


def main(argv: list[str] | None = None) -> int:
    from bench.bench_dashboard import _start_server
    from bench.loopback import free_port
    from bench.server_ready import wait_until_idle

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="synthetic serving database (demo key)")
    parser.add_argument("--posts", type=int, default=1_200)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds of posting")
    parser.add_argument("--json", type=Path, help="write the report here as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.posts <= 100_000:
        parser.error("--posts must be 1..100000")
    db = (args.db or _default_db()).resolve()
    port = free_port()
    var_dir = Path(tempfile.mkdtemp(prefix="care-atlas-fuzz-"))
    server = _start_server(db, port, var_dir)  # binds 127.0.0.1 only
    log_path = var_dir / "server.log"
    try:
        wait_until_idle(server.pid)
        get_json, post = _http_sender(f"http://127.0.0.1:{port}")
        callbacks = discover(get_json, post)
        report = run_posts(Fuzzer(callbacks, args.seed), args.posts, post, args.time_limit)
    finally:
        server.terminate()
        server.wait(timeout=30)
    log_text = log_path.read_text(errors="replace")
    tracebacks = log_text.count("Traceback (most recent call last)")
    summary = {
        "db": str(db),
        "seed": args.seed,
        "callbacks": len(callbacks),
        "posts": report.posts,
        "seconds": round(report.seconds, 1),
        "statuses": {str(k): v for k, v in sorted(report.statuses.items())},
        "by_kind": {k: dict(sorted(v.items())) for k, v in sorted(report.by_kind.items())},
        "server_errors": report.server_errors,
        "tracebacks_in_log": tracebacks,
        "failures": report.failures[:50],
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "failures"}, indent=1))
    seen: set[tuple[str, str]] = set()
    for failure in report.failures:
        key = (failure["callback"], failure["kind"])
        if key in seen:
            continue
        seen.add(key)
        print(f"5xx {failure['status']} {failure['callback']} [{failure['kind']}]")
        print(f"    body: {failure['body'][:300]}")
    if tracebacks:
        print(f"server log {log_path} holds {tracebacks} traceback(s):")
        print(log_text[log_text.find("Traceback") :][:3000])
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1))
    if report.posts < args.posts:
        print(f"stopped at the time limit after {report.posts} posts")
    return 1 if report.server_errors or tracebacks else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
