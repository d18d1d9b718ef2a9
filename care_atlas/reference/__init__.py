"""Reference tables shipped with Care Atlas: the element catalogue and the MIA savings targets.

A council replaces the catalogue with its own (same columns) through the build's --catalogue.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

CATALOGUE_COLUMNS: tuple[str, ...] = (
    "element_code",
    "element_description",
    "service_code",
    "service_description",
    "user_group",
    "provision_type",
    "mia_theme",
    "origin",
    "typical_weekly_cost",
    "typical_weeks",
)


def _path(name: str) -> Path:
    return Path(str(resources.files(__name__).joinpath(name)))


def element_catalogue_path() -> Path:
    return _path("element_catalogue.csv")


def mia_targets_path() -> Path:
    return _path("mia_targets.csv")


def load_element_catalogue(path: Path | None = None) -> pd.DataFrame:
    """The element catalogue: one row per element code, provision type and MIA theme as columns.

    Provision type is a column, not parsed from the code: HSSU65PL is external without an E,
    and DIR codes are direct payments.
    """
    df = pd.read_csv(path or element_catalogue_path(), dtype=str, keep_default_na=False)
    missing = [c for c in CATALOGUE_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"element catalogue {path} lacks column(s): {', '.join(missing)}")
    df["mia_theme"] = df["mia_theme"].replace("", None)
    df["typical_weekly_cost"] = df["typical_weekly_cost"].astype(float)
    df["typical_weeks"] = df["typical_weeks"].astype(float)
    if not df["element_code"].is_unique:
        raise ValueError("element catalogue has repeated element codes")
    return df


def load_mia_targets(path: Path | None = None) -> pd.DataFrame:
    """MIA savings targets (DOMAIN.md §3): budget targets, never reconciled with agreement costs."""
    return pd.read_csv(path or mia_targets_path())
