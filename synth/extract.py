"""Write a seeded synthetic raw extract in chunks, streaming, and its manifest.

Rows are made in fixed-size chunks, each with its own random generator spawned from the seed
(numpy SeedSequence), so memory stays flat at any size and the same seed and size always give
byte-identical output.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from tqdm import tqdm

from care_atlas.config import Settings, load_settings
from care_atlas.errors import UserError
from care_atlas.reference import load_element_catalogue
from synth.agreements import Agreements, Catalogue, generate_segment
from synth.columns import COLUMNS, SCHEMA, text_columns
from synth.geography import Geography, load_geography
from synth.manifest import Manifest, manifest_path
from synth.mess import QUARANTINE_RATES, plant
from synth.model import SEGMENTS

#: Rows made and written at a time: bounds memory whatever the total.
CHUNK_ROWS = 250_000
FORMATS = {".csv": "csv", ".parquet": "parquet"}
FIRST_AGREEMENT_ID = 1_000_000
FIRST_PERSON_ID = 500_000


def write_extract(
    rows: int,
    seed: int,
    out: Path,
    *,
    mess: bool = True,
    settings: Settings | None = None,
    progress: bool = False,
) -> Manifest:
    """Write ``rows`` synthetic agreement rows to ``out`` (.csv or .parquet) and its manifest.

    Raises UserError for a bad size, seed, suffix or an unwritable path.
    """
    out = Path(out)
    _check_arguments(rows, seed, out)
    settings = settings or load_settings()
    geo = _geography(settings.geography_dir)
    cat = _catalogue()
    quarantine, repair = Manifest.empty_counts()
    totals_q, totals_r = Counter(quarantine), Counter(repair)

    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with (
            _open_writer(tmp, FORMATS[out.suffix.lower()]) as write,
            tqdm(
                total=rows, unit="row", unit_scale=True, disable=not progress, desc="synth"
            ) as bar,
        ):
            for table, planted_q, planted_r in _chunks(rows, seed, mess, geo, cat):
                write(table)
                totals_q.update(planted_q)
                totals_r.update(planted_r)
                bar.update(table.num_rows)
        os.replace(tmp, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise UserError(f"cannot write {out}: {exc.strerror or exc}") from exc

    manifest = Manifest(
        rows=rows,
        seed=seed,
        mess=mess,
        columns=list(COLUMNS),
        quarantine={code: totals_q[code] for code in quarantine},
        repair={code: totals_r[code] for code in repair},
        format=FORMATS[out.suffix.lower()],
    )
    target = manifest_path(out)
    tmp_manifest = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp_manifest.write_text(manifest.to_json(), encoding="utf-8")
        os.replace(tmp_manifest, target)
    except OSError as exc:
        raise UserError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return manifest


def chunk_sizes(rows: int) -> list[int]:
    full, rest = divmod(rows, CHUNK_ROWS)
    return [CHUNK_ROWS] * full + ([rest] if rest else [])


def _check_arguments(rows: int, seed: int, out: Path) -> None:
    if isinstance(rows, bool) or not isinstance(rows, int | np.integer) or rows <= 0:
        raise UserError(f"--rows must be a whole number above 0, got {rows!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise UserError(f"--seed must be a whole number 0 or above, got {seed!r}")
    if out.suffix.lower() not in FORMATS:
        raise UserError(
            f"output {out} must end in {' or '.join(FORMATS)} (got {out.suffix or 'no suffix'!r})"
        )
    if out.is_dir():
        raise UserError(f"output {out} is a directory")


@lru_cache(maxsize=4)
def _geography(geography_dir: Path) -> Geography:
    return load_geography(Settings(geography_dir=geography_dir, var_dir=geography_dir))


@lru_cache(maxsize=1)
def _catalogue() -> Catalogue:
    cat = Catalogue.from_frame(load_element_catalogue())
    missing = {c for s in SEGMENTS for c in s.elements} - set(cat.codes)
    if missing:
        raise UserError(f"element catalogue lacks element(s) the generator uses: {sorted(missing)}")
    return cat


class _open_writer:
    """A context manager yielding ``write(table)`` for Parquet or CSV, closed on exit."""

    def __init__(self, path: Path, kind: str) -> None:
        if kind == "parquet":
            self._writer = pq.ParquetWriter(path, SCHEMA, compression="zstd")
        else:
            self._writer = pacsv.CSVWriter(path, SCHEMA)

    def __enter__(self):  # noqa: ANN204 - returns the bound write function
        return self._writer.write_table

    def __exit__(self, *exc: object) -> None:
        self._writer.close()


def _chunks(rows: int, seed: int, mess: bool, geo: Geography, cat: Catalogue):  # noqa: ANN202
    """Yield (table, quarantine counts, repair counts) per chunk."""
    sizes = chunk_sizes(rows)
    streams = np.random.SeedSequence(seed).spawn(len(sizes))
    offset = 0
    for size, stream in zip(sizes, streams, strict=True):
        rng = np.random.default_rng(stream)
        duplicates = int(round(size * QUARANTINE_RATES["AGREEMENT_ID_DUPLICATE"])) if mess else 0
        duplicates = min(duplicates, size // 2)
        agreements = _clean_chunk(rng, size - duplicates, geo, cat)
        agreement_id = FIRST_AGREEMENT_ID + offset + np.arange(len(agreements))
        people = int(agreements.person.max()) + 1
        person_id = FIRST_PERSON_ID + offset + rng.permutation(people)[agreements.person]
        columns = text_columns(agreements, agreement_id, person_id, geo, cat)
        quarantine: Counter[str] = Counter()
        repair: Counter[str] = Counter()
        if mess:
            planted = plant(rng, agreements, columns, geo, cat, duplicates)
            columns, quarantine, repair = planted.columns, planted.quarantine, planted.repair
        table = pa.Table.from_arrays([columns[c] for c in COLUMNS], schema=SCHEMA)
        assert table.num_rows == size, (table.num_rows, size)
        offset += size
        yield table, quarantine, repair


def _clean_chunk(rng: np.random.Generator, rows: int, geo: Geography, cat: Catalogue) -> Agreements:
    """``rows`` clean agreements over all segments, ordered by start (ids follow that order)."""
    shares = np.array([s.share for s in SEGMENTS])
    exact = rows * shares / shares.sum()
    counts = np.floor(exact).astype(int)
    remainder = rows - counts.sum()
    counts[np.argsort(-(exact - counts), kind="stable")[:remainder]] += 1
    parts = [
        generate_segment(rng, segment, int(count), geo, cat)
        for segment, count in zip(SEGMENTS, counts, strict=True)
        if count
    ]
    joined = Agreements.concat(parts)
    return joined.take(np.argsort(joined.start, kind="stable"))
