"""Smoke test of the benchmark suite: every case runs once (``--quick``), nothing is timed.

It runs ``python -m goffi.bench`` in a child process, as users do (the suite loads its
own Go bundle, and one process can hold only one Go runtime), with a fresh cache so
it also covers building the bench package. It checks the table's shape, never speed.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from goffi.bench.suite import CASES

STATUSES = {"measured", "pending", "not measured"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "results.json"
    env = dict(os.environ, GOFFI_CACHE_DIR=str(tmp / "cache"), GOFFI_VERBOSE="0")
    done = subprocess.run(
        [sys.executable, "-m", "goffi.bench", "--quick", "--json", str(out)],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done, out


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_result(case: str, result: dict[str, Any]) -> None:
    if result["ns"] is None:
        assert result["reason"].startswith("not measured: "), (case, result)
    else:
        assert _is_number(result["ns"]), (case, result)


def test_every_case_has_a_result_or_a_reason(
    quick_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, out = quick_run
    data = json.loads(out.read_text())
    rows = {row["case"]: row for row in data["rows"]}
    assert list(rows) == [c.id for c in CASES]
    for case, row in rows.items():
        assert row["status"] in STATUSES, row
        # A case that crashed is reported, not hidden: that is a bug in the suite.
        assert "case failed" not in row["reason"], row["reason"]
        if row["status"] == "pending":
            assert row["reason"].startswith("pending: needs "), row
        elif row["status"] == "not measured":
            assert row["reason"].startswith("not measured: "), row
        else:
            _check_result(case, row["goffi"])
            for baseline in row["baselines"]:
                _check_result(case, baseline)
                assert "case failed" not in baseline["reason"], baseline


def test_table_is_printed_with_machine_and_every_case(
    quick_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    done, out = quick_run
    assert done.stdout.startswith("machine: "), done.stdout[:200]
    for case in CASES:
        assert f"\n{case.id}: " in done.stdout, case.id
    data = json.loads(out.read_text())
    assert data["machine"]["cpu"] and data["settings"]["quick"] is True


def test_handle_rows_are_measured_and_release_every_handle(
    quick_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, out = quick_run
    rows = {row["case"]: row for row in json.loads(out.read_text())["rows"]}
    for case in ("handle_method", "handles_1m"):
        assert rows[case]["status"] == "measured", rows[case]["reason"]
    checks = {c["name"]: c for c in rows["handles_1m"]["checks"]}
    # Not a timing: every handle object dropped must give its Go handle back.
    assert checks["handles released"]["ok"], checks["handles released"]["text"]


def test_a_saved_run_renders_as_markdown(quick_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = quick_run
    done = subprocess.run(
        [sys.executable, "-m", "goffi.bench", "--render", str(out), "--markdown"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.startswith("machine: "), done.stdout[:200]
    assert "| case | goffi |" in done.stdout
    for case in CASES:
        assert f"| `{case.id}` " in done.stdout, case.id


def test_goroutine_bridge_rows_are_measured(quick_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out = quick_run
    rows = {row["case"]: row for row in json.loads(out.read_text())["rows"]}
    for case in ("callback_same_thread", "callback_1_goroutine", "callback_8_goroutines", "chan_iter"):
        assert rows[case]["status"] == "measured", rows[case]["reason"]
        assert all(b["ns"] is not None for b in rows[case]["baselines"]), rows[case]["baselines"]
    for case in ("callback_1_goroutine", "callback_8_goroutines"):
        checks = {c["name"]: c for c in rows[case]["checks"]}
        # Not a timing: the fresh-state baseline must really create a thread state per call.
        assert checks["fresh states"]["ok"], checks["fresh states"]["text"]


def test_channel_floor_rows_run_beside_the_go_drain(
    quick_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, out = quick_run
    rows = {row["case"]: row for row in json.loads(out.read_text())["rows"]}
    for buffer in (0, 1, 64, 1024):
        row = rows[f"chan_floor_{buffer}"]
        assert row["status"] == "measured", row["reason"]
        assert f"Count(n, {buffer})" in row["title"], row["title"]
        assert _is_number(row["goffi"]["ns"]), row["goffi"]
        (drain,) = row["baselines"]
        assert drain["label"] == row["target_of"] == "Go goroutine drain (floor)", drain
        assert _is_number(drain["ns"]), drain
        # The same run measured both, round by round: the ratio pairs their samples.
        assert row["goffi"]["group"] == drain["group"] != "", (row["goffi"], drain)
        # Only the buffered rows are held to the 0.8x target (a time ratio of 1/0.8).
        assert row["target"] == (1 / 0.8 if buffer in (64, 1024) else None), row["target"]
