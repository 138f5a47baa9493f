"""The rooms of docs/architecture.md hold, drawn from the code's imports (import-linter's
contracts in pyproject.toml): one-way layers, a pure engine, the store at the bottom,
no import cycles between packages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=package_parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_import_contract_holds() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
    assert result.stdout.count("KEPT") == 5, result.stdout


def test_an_engine_that_reaches_for_the_web_layer_breaks_the_contracts(tmp_path: Path) -> None:
    shutil.copytree(
        ROOT / "chatbot",
        tmp_path / "chatbot",
        ignore=shutil.ignore_patterns("__pycache__", "_content"),
    )
    state = tmp_path / "chatbot" / "engine" / "state.py"
    state.write_text(state.read_text() + "\nimport chatbot.web.keys  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    assert "One-way flow: no package imports one above it BROKEN" in result.stdout
    assert "No import cycles between the packages BROKEN" in result.stdout
