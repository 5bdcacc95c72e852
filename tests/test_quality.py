"""The codebase stays ruff- and mypy-clean (both come with the dev extra)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "command",
    [["ruff", "check", "src", "tests"], ["ruff", "format", "--check", "src", "tests"], ["mypy"]],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tool_is_clean(command: list[str]) -> None:
    # Run as this Python's module, not whichever `ruff` is first on PATH: the dev extra
    # installs them next to this interpreter, whose venv need not be activated.
    if importlib.util.find_spec(command[0]) is None:
        pytest.fail(f"{command[0]} is missing: install the dev extra (pip install -e '.[dev]')")
    done = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
