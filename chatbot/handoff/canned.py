"""Canned replies for the agent console (``data/canned_replies.yml``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["load_canned_replies"]


def load_canned_replies(path: Path) -> list[dict[str, Any]]:
    """``[{"id", "title", "text": {lang: text}}]``; an absent file means none."""
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    replies = []
    for item in data.get("replies") or []:
        texts = {str(lang): str(text) for lang, text in (item.get("text") or {}).items()}
        if item.get("id") and texts:
            replies.append(
                {
                    "id": str(item["id"]),
                    "title": str(item.get("title") or item["id"]),
                    "text": texts,
                }
            )
    return replies
