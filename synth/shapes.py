"""Measure an extract's shapes (DOMAIN.md §6) with the measures of DOMAIN.md §4.

Used by the tests to hold the generator to the thesis's figures, and handy when recalibrating
``synth/model.py``: ``python -m synth.shapes FILE.parquet`` prints every measure.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pandas as pd

from care_atlas.config import Settings
from synth.audit import open_audit, sql_text


class Shapes:
    """Shape measures over the loaded rows of one extract (an audited DuckDB connection)."""

    def __init__(self, extract: Path, settings: Settings | None = None) -> None:
        self.con: duckdb.DuckDBPyConnection = open_audit(Path(extract), settings)
        self.con.execute(sql_text("cost_by_year.sql"))

    def _frame(self, name: str, **literals: str) -> pd.DataFrame:
        script = sql_text(name)
        for key, value in literals.items():
            script = script.replace(f"${key}", "'" + value.replace("'", "''") + "'")
        return self.con.execute(script).df()

    def years(self) -> pd.DataFrame:
        return self._frame("shape_years.sql")

    def age_bands(self) -> pd.DataFrame:
        return self._frame("shape_age_bands.sql")

    def elements(self) -> pd.DataFrame:
        return self._frame("shape_elements.sql")

    def provision(self) -> pd.Series:
        return self._frame("shape_provision.sql").iloc[0]

    def outer_ring(self) -> pd.DataFrame:
        return self._frame("shape_outer_ring.sql")

    def regions(self) -> pd.DataFrame:
        return self._frame("shape_regions.sql")

    def quarterly_users(self, element: str) -> pd.DataFrame:
        return self._frame("shape_quarterly_users.sql", element=element)

    def element_cost(self, element: str) -> pd.DataFrame:
        return self._frame("shape_element_cost.sql", element=element)

    def theme_years(self, theme: str) -> pd.DataFrame:
        return self._frame("shape_theme_years.sql", theme=theme)

    def enablement(self) -> pd.DataFrame:
        return self._frame("shape_enablement.sql")

    def enablement_cost(self) -> pd.DataFrame:
        return self._frame("shape_enablement_cost.sql")


def main(argv: list[str]) -> int:
    shapes = Shapes(Path(argv[0]))
    pd.set_option("display.width", 140)
    for title, frame in (
        ("agreements started per year", shapes.years()),
        ("age bands", shapes.age_bands()),
        ("elements", shapes.elements()),
        ("provision", shapes.provision()),
        ("outer ring", shapes.outer_ring()),
        ("regions", shapes.regions().pivot(index="year", columns="region", values="cost")),
        ("CHIRDRT users per quarter", shapes.quarterly_users("CHIRDRT").T),
        ("CHIRDRT cost per year", shapes.element_cost("CHIRDRT")),
        ("MIA3 per year", shapes.theme_years("MIA3")),
        ("MIA17 over 42 days", shapes.enablement()),
        ("MIA17 cost beyond 42 days", shapes.enablement_cost()),
    ):
        print(f"\n== {title}\n{frame.to_string() if hasattr(frame, 'to_string') else frame}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
