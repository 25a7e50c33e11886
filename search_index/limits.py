"""What one search may cost: the query's size, the index words a fuzzy or wildcard term may stand for, and
its time. A query over a limit is refused (``QueryError``, a 400 naming the limit), never run slowly.

The trap these close: a fuzzy term's Levenshtein automaton grows about fivefold with each edit allowed (one
``~7`` held a worker for seconds: bench/README.md, ``search_limits.py``), and a short prefix or a fuzzy term
stands for as many index words as it matches, each of them scored over every document holding it (``co*``
was thousands).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from .engine import QueryError

MAX_EDITS = 2  # as Lucene's LevenshteinAutomata.MAXIMUM_SUPPORTED_DISTANCE


@dataclass(frozen=True)
class Limits:
    max_length: int = 500  # characters of a query
    max_terms: int = 64
    max_wildcards: int = 4
    min_prefix: int = 2  # letters before a wildcard
    max_edits: int = MAX_EDITS  # of a fuzzy term (``word~2``)
    max_expansions: int = 64  # index words one fuzzy or wildcard term may stand for
    timeout_seconds: float = 2.0  # of one search, before it answers 400
    max_export_rows: int = 10000  # of a CSV export (its rows are made after the time-bounded search)


DEFAULT_LIMITS = Limits()


class SearchTimeout(QueryError):
    """The search ran out of time (a 400 saying so; what is optional, snippets and suggestions, is left out
    instead)."""


class Deadline:
    """A search's time budget, checked between bounded steps (a term's postings, a stretch of an expansion, a
    word's suggestion), never by a signal: searches run in threads, where ``SIGALRM`` cannot reach them."""

    __slots__ = ("seconds", "at")

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def passed(self) -> bool:
        return time.monotonic() > self.at

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise SearchTimeout(f"The search took longer than {self.seconds:g} seconds, the most one search may take: "
                                "use fewer words, or fewer fuzzy or wildcard terms.", "timeout", seconds=self.seconds)

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())


NO_DEADLINE = Deadline(float("inf"))
