"""Compute the landing page's views into the shared result cache before the server serves.

Every visit starts on the overview in its default state (all years, by ward), and those are
the slowest views to compute from nothing: over the whole history the element distribution
de-duplicates most people. The serving database changes only with a rebuild, so the server
computes them once, at start-up, into the on-disk result cache that every worker reads (the
cache key holds the build id, so a restart over the same build finds them already there).

This is the system preparing published tables, not anyone looking: nothing is returned to a
person and nothing is written to the audit log. A visitor's request still passes the role check
and is audited as usual; a cache hit only spares the computing.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from care_atlas.config import Settings

log = logging.getLogger(__name__)


def warm_landing_views(db_path: Path, settings: Settings) -> float | None:
    """Seconds spent computing the overview's default views into the result cache, or None
    when that could not be done (the server then computes them on the first visit)."""
    from dashboard.choices import choices_from_reference
    from dashboard.views import PAGE_VIEWS, Context, params_for, run
    from queries import open_database

    started = time.perf_counter()
    try:
        db = open_database(db_path, cache_dir=settings.cache_dir / "results")
    except Exception:  # serving goes on; the first visitor pays instead
        log.warning("landing views not precomputed: %s cannot be opened", db_path, exc_info=True)
        return None
    try:
        context = Context(db=db, choices=choices_from_reference(db.reference))
        for view in PAGE_VIEWS:
            outcome = run(context, view, params_for(context, view, {}))
            if outcome.result is None:
                log.warning("landing view %s not precomputed: %s", view, outcome.message)
    finally:
        db.close()
    return time.perf_counter() - started
