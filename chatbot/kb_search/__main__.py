"""``python -m chatbot.kb_search vectors [KB_DIR] [OUT]``: embed a help centre's passages
and write them as a bundled vector file (by default the demo help centre's
``data/kb_vectors.npz``, which a fresh install reads instead of embedding)."""

from __future__ import annotations

import sys
from pathlib import Path

from chatbot.kb_search.articles import load_kb
from chatbot.kb_search.index import KBIndex
from chatbot.kb_search.semantic import load_embedder
from chatbot.settings import CONTENT_DIR, Settings


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "vectors":
        print(__doc__)
        return 2
    kb_dir = Path(argv[1]) if len(argv) > 1 else CONTENT_DIR / "kb"
    out = Path(argv[2]) if len(argv) > 2 else CONTENT_DIR / "kb_vectors.npz"
    embedder = load_embedder()
    if embedder is None:
        print("the embedder does not load on this machine", file=sys.stderr)
        return 1
    index = KBIndex(load_kb(kb_dir), embedder=embedder, cache_dir=Settings().cache_dir)
    print(f"{index.export_vectors(out)} passage vectors written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
