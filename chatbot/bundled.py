"""Where the bundled content (``data/``) and the widget's files are.

An installed wheel carries them inside the package, under ``chatbot/_content/``
(see ``hatch_build.py``); a checkout (an editable install, ``make install``) has no such
folder and reads ``data/`` and ``widget/`` beside the package, as they are edited.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["CONTENT_DIR", "WIDGET_DIR"]


def _root() -> Path:
    packaged = resources.files("chatbot") / "_content"
    # Installed wheels are unpacked on disk, so the package's files are real paths.
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent


#: The knowledge base, phrases, forms and models' data the bot starts with.
CONTENT_DIR = _root() / "data"
#: The widget and console bundles (``dist/``) and the pages the server sends.
WIDGET_DIR = _root() / "widget"
