"""The systemd unit and its environment file, as an operator installs them.

The unit's graceful stop is the server's own SIGTERM handling, tested in
``tests/test_cli.py::test_serve_answers_health_checks_and_stops_cleanly``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "chatbot.service"
ENV_EXAMPLE = ROOT / "deploy" / "chatbot.env.example"
INSTALLED_CHATBOT = "/opt/chatbot/venv/bin/chatbot"


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("systemd-analyze is missing in CI (.ci/run installs Debian's systemd)")
        pytest.skip("systemd-analyze is not installed (Debian package systemd)")
    return found


@pytest.fixture
def unit_here(tmp_path: Path) -> Path:
    """The unit with its ExecStart pointing at this checkout's ``chatbot``: verify checks
    that the command exists."""
    here = Path(sys.executable).parent / "chatbot"
    assert here.is_file(), "the chatbot command is not installed in this venv"
    text = UNIT.read_text(encoding="utf-8")
    assert INSTALLED_CHATBOT in text
    unit = tmp_path / "chatbot.service"
    unit.write_text(text.replace(INSTALLED_CHATBOT, str(here)), encoding="utf-8")
    return unit


def test_the_unit_passes_systemd_verify(unit_here: Path) -> None:
    done = subprocess.run(
        [systemd_analyze(), "verify", str(unit_here)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # verify exits 0 on some warnings (an unknown key is only "ignoring"): none allowed.
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def test_the_unit_is_hardened(unit_here: Path) -> None:
    done = subprocess.run(
        [systemd_analyze(), "security", "--offline=yes", "--no-pager", str(unit_here)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    found = re.search(r"Overall exposure level for chatbot\.service: ([\d.]+)", done.stdout)
    assert found is not None, done.stdout + done.stderr
    # systemd's scale: 0 is locked down, 10 is a unit with no sandboxing at all.
    assert float(found.group(1)) <= 2.0, done.stdout


def unit_settings() -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


def test_the_unit_runs_the_server_as_its_own_user_and_lets_it_drain() -> None:
    unit = unit_settings()
    assert unit["User"] == ["chatbot"]
    assert unit["Restart"] == ["on-failure"]
    assert unit["ExecStart"][0].startswith(f"{INSTALLED_CHATBOT} serve ")
    assert "--data-dir /var/lib/chatbot" in unit["ExecStart"][0]
    assert "/var/lib/chatbot" in unit["ReadWritePaths"][0].split()
    # The server waits 5 s for open requests, then for turns in flight (a domain check
    # takes up to 10 s) and an e-mail being sent (10 s timeout) before it exits.
    from chatbot.settings import Settings

    drain = 5 + Settings().diag_timeout + 10
    assert int(unit["TimeoutStopSec"][0]) > drain


def test_every_setting_in_the_environment_example_is_one_the_server_reads() -> None:
    sources = "\n".join(
        path.read_text(encoding="utf-8") for path in (ROOT / "chatbot").rglob("*.py")
    )
    names = re.findall(r"^#?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.M)
    assert len(names) >= 30

    def read(name: str) -> bool:
        # Literally, or as a field name in settings.py's loops over f"CHATBOT_{name.upper()}".
        field = name.removeprefix("CHATBOT_").lower()
        return name in sources or f'"{field}"' in sources

    unit_variables = set(re.findall(r"\$\{(\w+)\}", unit_settings()["ExecStart"][0]))
    assert unit_variables == {"CHATBOT_HOST", "CHATBOT_PORT"} <= set(names)
    assert [name for name in names if name not in unit_variables and not read(name)] == []
