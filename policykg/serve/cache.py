"""The endpoint's answer cache: the bodies of answers already sent, to send again without a query.

A build is read-only while it is served, so a query asked again with the same `Accept` header has
the same answer, byte for byte. The cache belongs to one opened copy of the build: when the
endpoint reloads a rebuilt folder it starts with an empty cache, so an answer of the old build is
never sent for the new one.

Bounds (docs/reliability.md): the cached bodies and keys together stay under `max_bytes` (the
least recently used answers leave first), and an answer larger than a quarter of it is not kept,
so one listing cannot push out every other answer. Only complete 200 answers are kept; errors
(a bad query, a limit hit under load) are never cached. A query whose answer may change from one
run to the next (NOW, RAND, UUID, STRUUID, BNODE) is not cached either.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

DEFAULT_MB = 64
_VOLATILE = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


def cacheable(text: str) -> bool:
    """False for a query that calls a function whose value changes between runs."""
    return _VOLATILE.search(text) is None


class AnswerCache:
    """Least-recently-used answers, keyed by (query text, Accept header), at most `max_bytes`."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max(0, max_bytes)
        self.max_entry = self.max_bytes // 4
        self.bytes = 0
        self.hits = self.misses = 0
        self._items: OrderedDict[tuple[str, str], tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _size(key: tuple[str, str], body: bytes) -> int:
        return len(body) + len(key[0].encode("utf-8")) + len(key[1]) + 200   # 200: the entry's own objects

    def get(self, key: tuple[str, str]):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item[0]

    def put(self, key: tuple[str, str], answer) -> bool:
        """Keep `answer` (an object with a `body` of bytes) for `key`; False when it is too large."""
        size = self._size(key, answer.body)
        if size > self.max_entry:
            return False
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._items[key] = (answer, size)
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, n) = self._items.popitem(last=False)
                self.bytes -= n
        return True

    def __len__(self) -> int:
        return len(self._items)
