"""Seeded synthetic raw extracts shaped like the thesis's CareFirst data (DOMAIN.md §6).

``write_extract(rows, seed, out)`` writes the extract and ``<out>.manifest.json``;
``care-atlas synth`` is its command line.
"""

from synth.extract import write_extract
from synth.manifest import Manifest, manifest_path, read_manifest

__all__ = ["Manifest", "manifest_path", "read_manifest", "write_extract"]
