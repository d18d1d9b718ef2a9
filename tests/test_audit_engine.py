"""The whole audit on hand-made catalogues: planted leaks are found, a protected one is clean."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from audit.cells import from_frames
from audit.engine import EXIT_CLEAN, EXIT_RECOVERED, run_audit
from audit.report import blocks, to_html, to_markdown
from care_atlas.ptables import identity_ptable, noise_ptable
from tests.fixtures import audit_world as w


@pytest.fixture(scope="module")
def small_city():
    return w.truth(w.facts(400))


def _audit(truth, ptable, **kw):
    cells = from_frames(w.publish(truth, ptable), truth)
    return cells, run_audit(cells, w.reference(), noise_ptable(), **kw)


def test_a_protected_hand_made_catalogue_is_clean_and_the_controls_find_leaks(small_city):
    _, result = _audit(small_city, noise_ptable())
    assert result.protected.recovered == 0 and result.pinned == 0
    assert result.exit_code == EXIT_CLEAN
    controls = {c.name: c for c in result.controls}
    assert controls["protection_off"].recovered == len(controls["protection_off"].results) > 0
    assert controls["free_form_regions"].recovered > 0
    assert len(result.protected.results) == result.targets_total


def test_publishing_with_the_identity_ptable_is_caught(small_city):
    # the build ran with protection off (identity ptable) while the audit assumes the noise
    # table: true counts of 10+ published exactly, differences of them give away the [c] cells
    _, result = _audit(small_city, identity_ptable())
    assert result.protected.recovered > 0 and result.exit_code == EXIT_RECOVERED


def test_one_unprotected_cell_is_caught(small_city):
    cells, clean = _audit(small_city, noise_ptable())
    people = cells.published["people"]
    small = (people == -1) & (cells.true_n["people"] >= 1) & (cells.true_n["people"] <= 9)
    target = int(np.nonzero(small)[0][0])
    people[target] = cells.true_n["people"][target]  # published under the threshold
    result = run_audit(cells, w.reference(), noise_ptable(), controls=False)
    rec = result.protected.results
    assert rec.loc[(rec["cell"] == target) & (rec["measure"] == "people"), "recovered"].all()
    assert result.exit_code == EXIT_RECOVERED and clean.exit_code == EXIT_CLEAN


def test_sampled_run_attacks_the_sample_and_says_so(small_city):
    _, result = _audit(small_city, noise_ptable(), sample=10, seed=4)
    assert (result.protected.results.groupby("measure").size() <= 10).all()
    text = to_markdown(blocks(result, "hand-made"))
    assert "a random sample of 10 per measure" in text


def test_report_names_the_rule_the_attacks_and_the_controls(small_city):
    _, result = _audit(small_city, noise_ptable())
    bs = blocks(result, "hand-made")
    md, page = to_markdown(bs), to_html(bs)
    for text in (
        "Rule in force",
        "D = 7",
        "What was tried",
        "Exact bounds",
        "One person's cost",
        "Controls: proof that the audit finds leaks",
        "posterior probability",
    ):
        assert text in md
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "http" not in page


def test_with_zeros_published_as_c_nine_c_parts_under_a_c_total_stay_hidden():
    """The pattern that broke the first catalogue: a [c] total over nine non-empty [c] parts
    pins each to 1 when a [c] means 1..9 (zeros published as 0). The build now publishes 0..9
    as [c], and the engine attacks with that rule: nothing is recovered."""
    rows = [dict(people=None, people_n=9)] + [
        dict(age_band=f"band{i}", people=None, people_n=1) for i in range(9)
    ]
    cells = from_frames(*w.split(w.hand_cells(rows)))
    result = run_audit(cells, {}, noise_ptable(), controls=False)
    assert result.protected.recovered == 0


def test_cells_csv_lists_every_attacked_cell_without_true_values(small_city, tmp_path):
    from audit.files import write_cells_csv

    _, result = _audit(small_city, noise_ptable(), controls=False)
    path = write_cells_csv(result, tmp_path / "cells.csv")
    frame = pd.read_csv(path)
    assert len(frame) == len(result.protected.results)
    assert "true" not in frame.columns and "certainty_of_true_value" in frame.columns
    assert (path.stat().st_mode & 0o077) == 0
