"""The query layer: allow-listed filters, protected views, the HTTP API (ARCHITECTURE.md §3).

Everything the dashboard, exports and API show comes from here, and nothing leaves it
unprotected (PRIVACY.md §2-§4).
"""

from queries.database import Database, DatabaseError, open_database
from queries.filters import FilterError, Filters, parse_filters
from queries.reference import Reference
from queries.result import Column, ProtectedResult
from queries.views import VIEWS, UnknownView, run_view

__all__ = [
    "VIEWS",
    "Column",
    "Database",
    "DatabaseError",
    "FilterError",
    "Filters",
    "ProtectedResult",
    "Reference",
    "UnknownView",
    "open_database",
    "parse_filters",
    "run_view",
]
