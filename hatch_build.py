"""Build hook: the wheel carries the content and the built widget, so an installed
``chatbot`` runs from any directory.

Nothing is copied into the source tree: ``data/`` and the widget's pages are mapped into
the wheel under ``chatbot/_content/`` (found at run time by :mod:`chatbot.bundled`), and the
widget and console bundles are built with npm first. An sdist carries the built bundles
too, so a wheel built from it needs no Node.js. Editable installs (``make install``) read
the checkout as it is and build nothing: ``make widget`` does that.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.config import BuilderConfig
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: The bundles ``npm run build`` writes, served at /widget.js and /console/console.js.
BUNDLES = ("widget.js", "console.js")
#: Folders of ``widget/`` that are sources or tooling, not files the server sends.
NOT_SERVED = {"src", "test", "node_modules", "dist"}


class ContentHook(BuildHookInterface[BuilderConfig]):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return
        root = Path(self.root)
        widget = root / "widget"
        dist = widget / "dist"
        # An unpacked sdist (it has PKG-INFO) carries bundles built from its own sources.
        prebuilt = (root / "PKG-INFO").is_file() and all((dist / b).is_file() for b in BUNDLES)
        if not prebuilt:
            build_widget(widget)
        included: dict[str, str] = build_data["force_include"]
        if self.target_name == "sdist":
            for bundle in BUNDLES:
                included[str(dist / bundle)] = f"widget/dist/{bundle}"
            return
        included[str(root / "data")] = "chatbot/_content/data"
        for folder in sorted(widget.iterdir()):
            if folder.is_dir() and folder.name not in NOT_SERVED:
                included[str(folder)] = f"chatbot/_content/widget/{folder.name}"
        for bundle in BUNDLES:
            included[str(dist / bundle)] = f"chatbot/_content/widget/dist/{bundle}"


def build_widget(widget: Path) -> None:
    """``npm ci`` when the dependencies are missing or older than the lock file (the same
    stamp as the Makefile's), then ``npm run build``."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "building chatbot needs npm to bundle the chat widget and the agent console: "
            "install Node.js with npm (Debian: apt-get install nodejs npm) and build again, "
            "or install from an sdist, which carries the built bundles"
        )
    stamp = widget / "node_modules" / ".installed"
    wanted = max((widget / name).stat().st_mtime for name in ("package.json", "package-lock.json"))
    if not stamp.is_file() or stamp.stat().st_mtime < wanted:
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=widget, check=True)
        stamp.touch()
    subprocess.run([npm, "run", "build"], cwd=widget, check=True)
    missing = [b for b in BUNDLES if not (widget / "dist" / b).is_file()]
    if missing:
        raise RuntimeError(f"npm run build did not write widget/dist/{', '.join(missing)}")
