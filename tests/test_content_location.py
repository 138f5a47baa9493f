"""Where the server finds its content: the checkout's data/ and widget/ when run from the
repository, another folder when the operator says so (the wheel: tests/test_wheel.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.bundled import CONTENT_DIR, WIDGET_DIR
from chatbot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_a_checkout_reads_data_and_widget_as_they_are_edited() -> None:
    assert CONTENT_DIR == ROOT / "data"
    assert WIDGET_DIR == ROOT / "widget"
    assert Settings().content_dir == CONTENT_DIR


def test_the_environment_points_the_server_at_an_edited_copy_of_the_content(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CHATBOT_CONTENT_DIR", str(tmp_path / "content"))
    settings = Settings.from_env()
    assert settings.content_dir == tmp_path / "content"
    assert settings.kb_path == tmp_path / "content" / "kb"
    assert Settings.from_env(kb_dir=tmp_path / "kb").kb_path == tmp_path / "kb"
