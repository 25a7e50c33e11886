"""The multilingual glossary of the field (``glossary.json``): finds the concepts a query names, in any of
its languages, and gives their terms in every language, so that ``mensenhandel`` also finds "human
trafficking", "traite des êtres humains" and "Menschenhandel".

A concept's ``terms`` are looked for in records, stemmed as each language's text is. Its ``words`` are everyday
single words that name it when a reader types one (Italian ``tratta``), matched as typed (accents aside), never
stemmed: their stem is shared with unrelated words (``trattano``, "they deal with"), and in running text they
often mean something else (``si tratta di``, "it is about"), so they never stand in for a concept in another
word's expansion: only the word the reader typed is looked for. A concept may hold terms in languages beyond
the file's ``languages`` (those every concept covers)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .analysis import NEUTRAL, analyse, field_language, fold

PATH = Path(__file__).with_name("glossary.json")


@dataclass(frozen=True)
class Concept:
    id: str
    terms: dict[str, tuple[str, ...]]  # language -> terms
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)  # language -> everyday words, as typed


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
        # folded everyday word -> (concept number, language) pairs
        self._words: dict[str, set[tuple[int, str]]] = {}
        for number, concept in enumerate(concepts):
            for language, words in concept.words.items():
                for word in words:
                    self._words.setdefault(fold(word), set()).add((number, language))

    @classmethod
    def load(cls, path: Path = PATH) -> Glossary:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls([Concept(c["id"], {lang: tuple(terms) for lang, terms in c["terms"].items()},
                            {lang: tuple(words) for lang, words in c.get("words", {}).items()})
                    for c in data["concepts"]])

    def match(self, text: str) -> list[Concept]:
        """The concepts whose terms occur in ``text`` (analysed in each glossary language)."""
        found: set[int] = set()
        for analyser, entries in self._index.items():
            tokens = analyse(analyser, text)
            for start in range(len(tokens)):
                for length in range(1, min(self._longest, len(tokens) - start) + 1):
                    found |= entries.get(tuple(tokens[start:start + length]), set())
        for token in analyse(NEUTRAL, text):
            found |= {number for number, _ in self._words.get(token, ())}
        return [self.concepts[n] for n in sorted(found)]

    def everyday_languages(self, word: str) -> set[str]:
        """The languages in which ``word`` (one word, as typed) is an everyday word of a concept."""
        return {language for _, language in self._words.get(fold(word), ())}


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    return Glossary.load()
