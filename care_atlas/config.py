"""Where Care Atlas reads its inputs and writes its build outputs.

Every location is a setting so a council can point the same code at its own ONS downloads
and its own data folder. Environment variables win over the defaults; command-line options
win over both (the CLI passes them in explicitly).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Default geography folder: the shared Birmingham bundle beside the project.
DEFAULT_GEOGRAPHY_DIR = PROJECT_ROOT.parent / "shared" / "data"
#: Default folder for build outputs (git-ignored).
DEFAULT_VAR_DIR = PROJECT_ROOT / "var"

#: The local authority the shipped geography describes.
DEFAULT_LAD_CODE = "E08000025"


@dataclass(frozen=True)
class Settings:
    """Resolved locations. Build with :func:`load_settings`."""

    geography_dir: Path
    var_dir: Path
    lad_code: str = DEFAULT_LAD_CODE

    @property
    def geometry_dir(self) -> Path:
        """Simplified browser GeoJSON and the postcode lookup the app needs at run time."""
        return self.var_dir / "geometry"

    @property
    def demo_dir(self) -> Path:
        """The synthetic demo extract and its serving database."""
        return self.var_dir / "demo"

    @property
    def demo_extract(self) -> Path:
        return self.demo_dir / "extract.parquet"

    @property
    def demo_db(self) -> Path:
        return self.demo_dir / "serving.duckdb"

    @property
    def cache_dir(self) -> Path:
        """Query-result cache shared by server worker processes."""
        return self.var_dir / "cache"


def load_settings(
    geography_dir: str | os.PathLike[str] | None = None,
    var_dir: str | os.PathLike[str] | None = None,
) -> Settings:
    """Resolve settings: explicit arguments, then CARE_ATLAS_* variables, then defaults."""
    geo = geography_dir or os.environ.get("CARE_ATLAS_GEOGRAPHY_DIR") or DEFAULT_GEOGRAPHY_DIR
    var = var_dir or os.environ.get("CARE_ATLAS_VAR_DIR") or DEFAULT_VAR_DIR
    lad = os.environ.get("CARE_ATLAS_LAD_CODE") or DEFAULT_LAD_CODE
    return Settings(geography_dir=Path(geo).resolve(), var_dir=Path(var).resolve(), lad_code=lad)
