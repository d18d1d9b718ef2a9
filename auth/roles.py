"""Roles and what each may ask the query layer for.

A viewer sees ward and coarser geography only: postcode sectors and H3 cells are small enough
that only analysts, who work with the data under the council's agreements, may query them.
The check runs on validated :class:`queries.Filters`, so it holds for the API, the dashboard's
callbacks and exports alike.
"""

from __future__ import annotations

from queries.catalogue import LEVELS, viewer_levels
from queries.filters import FilterError, Filters

#: Role -> geography levels it may query (the catalogue says which levels viewers may read).
ROLES: dict[str, tuple[str, ...]] = {
    "analyst": LEVELS,
    "viewer": viewer_levels(),
}


class RoleDenied(FilterError):
    """The signed-in role may not ask for these filters (HTTP 403 in the API)."""


def check_role(role: str, filters: Filters) -> None:
    """Raise RoleDenied unless ``role`` may run a view with ``filters``."""
    allowed = ROLES.get(role)
    if allowed is None:
        raise RoleDenied("role", f"unknown role {role!r}", list(ROLES))
    if filters.level not in allowed:
        raise RoleDenied(
            "level",
            f"{filters.level} level is not available to the {role} role "
            f"({', '.join(allowed)} only); ask an analyst for finer geography",
            list(allowed),
        )
