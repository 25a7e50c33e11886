"""The multilingual glossary of the field (``glossary.json``): finds the concepts a query names, in any of
its languages, and gives their terms in every language, so that ``mensenhandel`` also finds "human
trafficking", "traite des êtres humains" and "Menschenhandel"."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .analysis import analyse, field_language

PATH = Path(__file__).with_name("glossary.json")


@dataclass(frozen=True)
class Concept:
    id: str
    terms: dict[str, tuple[str, ...]]  # language -> terms


class Glossary:
    def __init__(self, concepts: list[Concept]):
        self.concepts = concepts
        # (analyser language, analysed term) -> concept ids: a query is matched language by language.
        self._index: dict[str, dict[tuple[str, ...], set[int]]] = {}
        for number, concept in enumerate(concepts):
            for language, terms in concept.terms.items():
                analyser = field_language(language)
                for term in terms:
                    tokens = tuple(analyse(analyser, term))
                    if tokens:
                        self._index.setdefault(analyser, {}).setdefault(tokens, set()).add(number)
        self._longest = max((len(t) for entries in self._index.values() for t in entries), default=1)

    @classmethod
    def load(cls, path: Path = PATH) -> Glossary:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls([Concept(c["id"], {lang: tuple(terms) for lang, terms in c["terms"].items()})
                    for c in data["concepts"]])

    def match(self, text: str) -> list[Concept]:
        """The concepts whose terms occur in ``text`` (analysed in each glossary language)."""
        found: set[int] = set()
        for analyser, entries in self._index.items():
            tokens = analyse(analyser, text)
            for start in range(len(tokens)):
                for length in range(1, min(self._longest, len(tokens) - start) + 1):
                    found |= entries.get(tuple(tokens[start:start + length]), set())
        return [self.concepts[n] for n in sorted(found)]


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    return Glossary.load()
