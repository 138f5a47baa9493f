"""Knowledge-base loading, indexing and search."""

from chatbot.kb_search.articles import Article, KnowledgeBase, load_kb, parse_article
from chatbot.kb_search.calibration import Calibration
from chatbot.kb_search.index import Hit, KBIndex, SearchResult

__all__ = [
    "Article",
    "Calibration",
    "Hit",
    "KBIndex",
    "KnowledgeBase",
    "SearchResult",
    "load_kb",
    "parse_article",
]
