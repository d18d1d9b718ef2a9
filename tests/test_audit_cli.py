"""`care-atlas audit` and `care-atlas noise-ptable`, in-process: exit statuses, reports, and
one-line errors for bad input."""

from __future__ import annotations

import pandas as pd
import pytest

from audit.ptable import identity_ptable, noise_ptable, write_ptable
from care_atlas.cli import main


@pytest.fixture(scope="module")
def noise_csv(tmp_path_factory):
    return write_ptable(noise_ptable(), tmp_path_factory.mktemp("audit") / "noise.csv")


def test_clean_audit_exits_0_and_writes_self_contained_html(
    queries_serving_path, noise_csv, tmp_path, capsys
):
    out = tmp_path / "audit.html"
    args = ["audit", "--db", str(queries_serving_path), "--pairs", "150", "--quiet"]
    code = main([*args, "--ptable", str(noise_csv), "--report", str(out)])
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert "Rule in force" in text and "information governance board" in text
    assert "<script" not in text and "http://" not in text and "https://" not in text
    assert "recovered NO count" in capsys.readouterr().out


def test_leaking_protection_exits_1_with_the_recoveries_in_the_report(
    queries_serving_path, tmp_path
):
    """No perturbation, only the threshold: differences of exact counts expose small groups."""
    identity = write_ptable(identity_ptable(), tmp_path / "identity.csv")
    out = tmp_path / "audit.md"
    code = main(
        [
            "audit",
            "--db",
            str(queries_serving_path),
            "--pairs",
            "150",
            "--quiet",
            "--no-control",
            "--ptable",
            str(identity),
            "--report",
            str(out),
        ]
    )
    assert code == 1
    text = out.read_text(encoding="utf-8")
    assert "RECOVERED" in text and "checked against true counts: true" in text


def test_shipped_noise_protection_is_clean_on_a_built_database(small_serving_db, noise_csv):
    args = ["audit", "--db", str(small_serving_db), "--pairs", "200", "--quiet"]
    assert main([*args, "--ptable", str(noise_csv)]) == 0


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--report", "out.txt"], "--report must end in"),
        (["--ptable", "/nonexistent/ptable.csv"], "does not exist"),
    ],
)
def test_bad_input_is_one_line_exit_2(queries_serving_path, extra, message, capsys):
    code = main(["audit", "--db", str(queries_serving_path), "--pairs", "10", "--quiet", *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_missing_database_is_one_line_exit_2(tmp_path, capsys):
    assert main(["audit", "--db", str(tmp_path / "none.duckdb")]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("pairs", ["0", "-5", "many", "99999999999"])
def test_bad_pairs_is_a_usage_error(pairs):
    with pytest.raises(SystemExit) as exc:
        main(["audit", "--db", "x.duckdb", "--pairs", pairs])
    assert exc.value.code == 2


def test_noise_ptable_command_writes_the_table(tmp_path):
    out = tmp_path / "ptable.csv"
    assert main(["noise-ptable", "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["pcv", "ckey", "pvalue"]
    assert len(table) == 750 * 256
