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


#: Issue 19: no Python module over 400 lines, no JS module over 500.
MAX_PYTHON_LINES = 400
MAX_JS_LINES = 500
#: Built, generated or vendored: not ours to keep short.
NOT_OURS = ("__pycache__", "_content", "vendor", "generated", "dist", "node_modules")


def too_long(root: Path, pattern: str, limit: int, base: Path = ROOT) -> list[str]:
    """The modules under ``root`` longer than ``limit`` lines, as "path: N lines"."""
    found = []
    for path in sorted(root.rglob(pattern)):
        if any(part in NOT_OURS for part in path.relative_to(root).parts):
            continue
        if path.name.endswith(".min.js"):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found.append(f"{path.relative_to(base)}: {lines} lines (limit {limit})")
    return found


def test_no_python_module_over_400_lines() -> None:
    modules = list((ROOT / "chatbot").rglob("*.py"))
    assert len(modules) > 50, "the package was not found"
    assert too_long(ROOT / "chatbot", "*.py", MAX_PYTHON_LINES) == []


def test_no_js_module_over_500_lines() -> None:
    modules = list((ROOT / "widget" / "src").rglob("*.js"))
    assert len(modules) > 5, "the widget's sources were not found"
    assert too_long(ROOT / "widget" / "src", "*.js", MAX_JS_LINES) == []


def test_a_long_module_is_named(tmp_path: Path) -> None:
    package = tmp_path / "chatbot"
    (package / "vendor").mkdir(parents=True)
    (package / "short.py").write_text("x = 1\n" * MAX_PYTHON_LINES)
    (package / "long.py").write_text("x = 1\n" * (MAX_PYTHON_LINES + 1))
    (package / "vendor" / "big.py").write_text("x = 1\n" * 1000)
    (package / "app.min.js").write_text("x;\n" * (MAX_JS_LINES + 1))
    (package / "app.js").write_text("x;\n" * (MAX_JS_LINES + 1))
    (package / "ok.js").write_text("x;\n" * MAX_JS_LINES)
    assert too_long(package, "*.py", MAX_PYTHON_LINES, tmp_path) == [
        "chatbot/long.py: 401 lines (limit 400)"
    ]
    assert too_long(package, "*.js", MAX_JS_LINES, tmp_path) == [
        "chatbot/app.js: 501 lines (limit 500)"
    ]
