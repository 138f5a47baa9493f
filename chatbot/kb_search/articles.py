"""Loading a knowledge base: a folder tree of Markdown files with YAML front matter."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Article", "KnowledgeBase", "load_kb", "parse_article"]

log = logging.getLogger(__name__)

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")
_LANG = re.compile(r"^[a-z]{2,3}$")
_SUMMARY_CHARS = 240


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    lang: str
    title: str
    body: str
    summary: str
    service: str | None = None
    tags: tuple[str, ...] = ()
    url: str | None = None
    source: str = ""


class KnowledgeBase:
    """All articles, addressable by id and language; translations share an id."""

    def __init__(self, articles: Iterable[Article]) -> None:
        self.articles: list[Article] = []
        self._by_key: dict[tuple[str, str], Article] = {}
        for article in articles:
            key = (article.id, article.lang)
            if key in self._by_key:
                log.warning(
                    "%s: duplicate article %s/%s ignored (first in %s)",
                    article.source,
                    article.id,
                    article.lang,
                    self._by_key[key].source,
                )
                continue
            self._by_key[key] = article
            self.articles.append(article)

    def __len__(self) -> int:
        return len(self.articles)

    def __iter__(self) -> Iterator[Article]:
        return iter(self.articles)

    @property
    def ids(self) -> set[str]:
        return {article.id for article in self.articles}

    def get(self, article_id: str, lang: str) -> Article | None:
        return self._by_key.get((article_id, lang))

    def translation(self, article_id: str, lang: str, fallback: str = "en") -> Article | None:
        """The article in ``lang``; else in ``fallback``; else in any language."""
        found = self.get(article_id, lang) or self.get(article_id, fallback)
        if found is not None:
            return found
        return next((a for a in self.articles if a.id == article_id), None)


def _summary_from_body(body: str) -> str:
    for block in re.split(r"\n\s*\n", body):
        text = re.sub(r"[#*_`>\[\]]", "", block).strip()
        if text and not text.startswith(("|", "-", "1.")):
            text = " ".join(text.split())
            if len(text) > _SUMMARY_CHARS:
                text = text[: _SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
            return text
    return ""


def _str_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list):
        return tuple(str(item).strip() for item in value if str(item).strip())
    raise ValueError("tags must be a list or a comma-separated string")


def parse_article(text: str, source: str = "", default_lang: str | None = None) -> Article:
    """One Markdown file's text -> :class:`Article`; ``ValueError`` says what is wrong."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    match = re.match(r"^---\n(.*?)\n---\s*\n?(.*)$", text, re.DOTALL)
    if match is None:
        raise ValueError("no YAML front matter (the file must start with a '---' line)")
    meta = yaml.safe_load(match.group(1))
    if not isinstance(meta, dict):
        raise ValueError("front matter is not a mapping")
    body = match.group(2).strip()
    article_id = str(meta.get("id", "")).strip()
    lang = str(meta.get("lang", default_lang or "")).strip().lower()
    title = str(meta.get("title", "")).strip()
    if not _ID.match(article_id):
        raise ValueError(f"'id' is missing or invalid: {article_id!r}")
    if not _LANG.match(lang):
        raise ValueError(f"'lang' is missing or invalid: {lang!r}")
    if not title:
        raise ValueError("'title' is missing")
    url = meta.get("url")
    if url is not None and not str(url).startswith(("https://", "http://")):
        raise ValueError("'url' must start with https:// or http://")
    service = meta.get("service")
    summary = str(meta.get("summary") or "").strip() or _summary_from_body(body)
    return Article(
        id=article_id,
        lang=lang,
        title=title,
        body=body,
        summary=summary,
        service=str(service).strip() if service else None,
        tags=_str_list(meta.get("tags")),
        url=str(url) if url else None,
        source=source,
    )


def load_kb(root: Path) -> KnowledgeBase:
    """Every ``*.md`` below ``root``; a file that does not parse is skipped with a warning.

    A file without ``lang`` takes it from a parent folder named like a language code.
    """
    if not root.is_dir():
        raise FileNotFoundError(f"knowledge base folder not found: {root}")
    articles: list[Article] = []
    for path in sorted(root.rglob("*.md")):
        if path.name.lower() in {"readme.md", "index.md"} and path.parent == root:
            continue
        folder_lang = next((p.name for p in path.parents if _LANG.match(p.name)), None)
        try:
            text = path.read_text(encoding="utf-8")
            articles.append(parse_article(text, str(path), default_lang=folder_lang))
        except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
            log.warning("%s: skipped: %s", path, exc)
    log.info("loaded %d articles from %s", len(articles), root)
    return KnowledgeBase(articles)
