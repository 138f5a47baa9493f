"""Every setting a server reads from its environment is in the README's table."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from chatbot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_setting_is_documented_in_the_readme() -> None:
    source = (ROOT / "chatbot" / "settings.py").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r'"(CHATBOT_[A-Z_]+)"', source))
    # Settings read in a loop by field name: CHATBOT_<FIELD>.
    fields = {f.name for f in dataclasses.fields(Settings)}
    looped = {
        f"CHATBOT_{name.upper()}" for name in re.findall(r'\("(\w+)", (?:int|float)\)', source)
    }
    looped |= {
        f"CHATBOT_{name.upper()}" for name in re.findall(r'"(\w+)",?\n', source) if name in fields
    }
    read = named | looped
    assert len(read) > 40, sorted(read)
    table = readme.split("## Configuration", 1)[1]
    missing = sorted(name for name in read if f"`{name}`" not in table)
    assert not missing, f"settings missing from the README's table: {missing}"
