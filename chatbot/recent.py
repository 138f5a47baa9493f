"""The last results of a costly pure function of a message's text, kept by text.

Customers repeat themselves ("yes", "thanks", "no", "ok"), a turn reads one text more than
once (its language, its intent, its requests), and a retried message is read again: the
answer for a text seen lately is taken from here instead of being computed again. Bounded
and safe to share between the engine's threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Recent"]

V = TypeVar("V")


class Recent(Generic[V]):
    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._items: OrderedDict[str, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str, compute: Callable[[str], V]) -> V:
        """``compute(text)``, or its result from a recent call with the same text."""
        with self._lock:
            if text in self._items:
                self._items.move_to_end(text)
                return self._items[text]
        value = compute(text)
        with self._lock:
            self._items[text] = value
            if len(self._items) > self._size:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)
