"""An article cut into passages: the unit that search ranks and the snippet it shows.

A help-centre article is a title and a long body; the answer to "error 550" may sit in
the fifth section. Each passage is one heading's section, or a run of its paragraphs
when the section is long, and carries the article's title (and its heading) so that it
reads on its own: for the lexical index, for the embedder, and as the snippet the
customer sees. Tags and summary, where a help centre has them, make one passage more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatbot.kb_search.articles import Article

__all__ = ["Passage", "passages_of", "plain"]

#: A passage holds about this many words of body; a longer section is cut at paragraphs.
_TARGET_WORDS = 90
#: A paragraph shorter than this joins its neighbour instead of standing alone.
_MIN_WORDS = 25
_SNIPPET_CHARS = 260

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_BOLD_HEADING = re.compile(r"^\s*\*\*([^*]{2,80})\*\*\s*:?\s*$")
_MARKUP = re.compile(r"[*_`>#]+|!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")


@dataclass(frozen=True, slots=True)
class Passage:
    article_id: str
    lang: str
    #: Position in the article: 0 is its first passage.
    position: int
    title: str
    heading: str
    #: The passage's own words, Markdown removed: what a snippet shows.
    text: str
    #: Tags and summary written apart from the body: searchable, never a snippet.
    extra: bool = False

    @property
    def indexed(self) -> str:
        """What search reads: the title and heading give the passage its subject."""
        return "\n".join(part for part in (self.title, self.heading, self.text) if part)

    def snippet(self, limit: int = _SNIPPET_CHARS) -> str:
        text = self.text
        if len(text) <= limit:
            return text
        cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:(")
        return cut + "…"


def plain(markdown: str) -> str:
    """Markdown as the words a reader sees: links by their text, tables by their cells."""
    lines: list[str] = []
    for line in markdown.splitlines():
        if _TABLE_RULE.match(line):
            continue
        line = _LINK.sub(r"\1", line)
        line = line.replace("|", " ")
        line = re.sub(r"^\s*(?:[-+*]|\d+[.)])\s+", "", line)
        lines.append(_MARKUP.sub("", line))
    return " ".join(" ".join(lines).split())


def _sections(body: str) -> list[tuple[str, list[str]]]:
    """(heading, paragraphs) in order; the text before the first heading has none."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    paragraph: list[str] = []

    def close() -> None:
        if paragraph:
            text = plain("\n".join(paragraph))
            if text:
                sections[-1][1].append(text)
            paragraph.clear()

    for line in body.splitlines():
        heading = _HEADING.match(line) or _BOLD_HEADING.match(line)
        if heading:
            close()
            sections.append((plain(heading.group(1)), []))
        elif not line.strip():
            close()
        else:
            paragraph.append(line)
    close()
    return [(h, p) for h, p in sections if p or h]


def _chunks(paragraphs: list[str]) -> list[str]:
    """Paragraphs joined into passages of about ``_TARGET_WORDS`` words."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for paragraph in paragraphs:
        count = len(paragraph.split())
        if current and size + count > _TARGET_WORDS and size >= _MIN_WORDS:
            chunks.append(" ".join(current))
            current, size = [], 0
        current.append(paragraph)
        size += count
    if current:
        if chunks and size < _MIN_WORDS:
            chunks[-1] += " " + " ".join(current)
        else:
            chunks.append(" ".join(current))
    return chunks


def passages_of(article: Article) -> list[Passage]:
    """The passages of one article, in reading order (never none: at least the title)."""
    texts: list[tuple[str, str, bool]] = []
    for heading, paragraphs in _sections(article.body):
        chunks = _chunks(paragraphs) or [""]
        texts.extend((heading, chunk, False) for chunk in chunks)
    # A summary taken from the body is already there; one written apart, and tags, add.
    summary = plain(article.summary).rstrip("…")
    if any(summary[:60] in text for _, text, _ in texts):
        summary = ""
    extra = " ".join(part for part in (" ".join(article.tags), summary) if part)
    if extra:
        texts.append(("", extra, True))
    texts = [(h, t, e) for h, t, e in texts if t] or [("", plain(article.summary), True)]
    return [
        Passage(article.id, article.lang, i, article.title, heading, text, extra)
        for i, (heading, text, extra) in enumerate(texts)
    ]
