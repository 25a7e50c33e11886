"""Fuzzy and wildcard terms replaced, once per search, by the index words they stand for, within the limits.

Whoosh expands such a term in every segment each time it is asked (to match, then again for the terms a hit
matched), and scores the expansion document by document. Here each is expanded once (a fuzzy term by
``vocabulary.words_within``, a prefix or wildcard from the term list), to at most ``max_expansions`` words;
the query then holds plain terms, which the match sets score set-at-a-time from the posting lists, as Whoosh
scores the same ``Or`` (with the term's boost even when it stands for one word, which Whoosh forgets).

- A prefix or wildcard standing for more words than the limit is refused: which words a truncated list
  would keep is arbitrary, so the user is told to type more of the word.
- An explicit fuzzy term (``word~``, ``word~2``) likewise; ``fuzzy=true``'s variants of each typed word
  (``ClosestWords``) keep the closest ones instead (fewest edits, then the most frequent), as Lucene's
  ``FuzzyQuery`` keeps its ``maxExpansions`` best: the user typed no operator to correct.
"""
from __future__ import annotations

import copy

from whoosh import query as wq

from .engine import QueryError
from .limits import Deadline, Limits
from .vocabulary import Vocabulary, words_within
from .whoosh_internals import wildcard_pattern

CHECK_EVERY = 256  # words of a term list read between two looks at the clock


class ClosestWords(wq.FuzzyTerm):
    """``fuzzy=true``'s alternative of a typed word: its closest index words, at most ``max_expansions``."""


def expand(node: wq.Query, reader, limits: Limits, deadline: Deadline, vocabulary: Vocabulary) -> wq.Query:
    """``node`` with every fuzzy, prefix and wildcard term replaced by an ``Or`` of the index words it stands
    for (``NullQuery`` if none). Raises ``QueryError`` naming the limit a term runs into."""
    if isinstance(node, wq.FuzzyTerm):
        return _or(node, _fuzzy_words(node, reader, limits, deadline, vocabulary))
    if isinstance(node, (wq.Prefix, wq.Wildcard)):
        return _or(node, _pattern_words(node, reader, limits, deadline))
    if isinstance(node, wq.compound.CompoundQuery):
        copied = copy.copy(node)  # keeps the class, boost and scale (Query.apply would drop an Or's scale)
        copied.subqueries = [expand(child, reader, limits, deadline, vocabulary) for child in node.subqueries]
        return copied
    if isinstance(node, (wq.AndNot, wq.AndMaybe, wq.Require)):
        copied = copy.copy(node)
        copied.a, copied.b = (expand(node.a, reader, limits, deadline, vocabulary),
                              expand(node.b, reader, limits, deadline, vocabulary))
        return copied
    if isinstance(node, wq.Not):
        copied = copy.copy(node)
        copied.query = expand(node.query, reader, limits, deadline, vocabulary)
        return copied
    return node


def _or(node: wq.Query, words: list[str]) -> wq.Query:
    """What Whoosh's ``MultiTerm.matcher`` runs: an ``Or`` of the words' terms with the node's boost."""
    if not words:
        return wq.NullQuery
    terms = [wq.Term(node.fieldname, word) for word in sorted(words)]
    if len(terms) == 1:
        return wq.Term(node.fieldname, words[0], boost=node.boost)
    return wq.Or(terms, boost=node.boost)


# --- fuzzy terms --------------------------------------------------------------------------------------------
def _fuzzy_words(node: wq.FuzzyTerm, reader, limits: Limits, deadline: Deadline,
                 vocabulary: Vocabulary) -> list[str]:
    if node.maxdist > limits.max_edits:  # (the query builder refuses these first, naming what was typed)
        raise QueryError(f"'{node.text}~{node.maxdist}': a fuzzy term may differ by at most {limits.max_edits} "
                         "edits.", "fuzzy_edits", term=f"{node.text}~{node.maxdist}", max=limits.max_edits)
    found = words_within(reader, vocabulary, node.fieldname, node.text, node.maxdist, node.prefixlength, deadline)
    if len(found) <= limits.max_expansions:
        return sorted(found)
    if isinstance(node, ClosestWords):
        return sorted(closest(reader, node.fieldname, found, limits.max_expansions))
    raise QueryError(f"'{node.text}~{node.maxdist}' is close to more than {limits.max_expansions} words in the "
                     "index, the most one fuzzy term may stand for: type more of the word, or allow fewer edits.",
                     "fuzzy_too_broad", term=f"{node.text}~{node.maxdist}", max=limits.max_expansions)


def closest(reader, fieldname: str, found: dict[str, int], count: int) -> list[str]:
    """The ``count`` words of ``found`` (word -> edits) with the fewest edits, then the most documents."""
    return sorted(found, key=lambda word: (found[word], -reader.doc_frequency(fieldname, word), word))[:count]


# --- prefixes and wildcards ---------------------------------------------------------------------------------
def _pattern_words(node, reader, limits: Limits, deadline: Deadline) -> list[str]:
    if node.fieldname not in reader.schema:
        return []
    if isinstance(node, wq.Prefix):
        prefix, pattern, shown = node.text, None, node.text + "*"
    else:  # Whoosh's own glob translation, over the words of its literal prefix
        (prefix, pattern), shown = wildcard_pattern(node), node.text
    found: set[str] = set()
    for leaf, _ in reader.leaf_readers():
        for steps, btext in enumerate(leaf.expand_prefix(node.fieldname, prefix), 1):
            if steps % CHECK_EVERY == 0:
                deadline.check()
            word = btext.decode("utf-8") if isinstance(btext, bytes) else btext
            if pattern is not None and not pattern.match(word):
                continue
            found.add(word)
            if len(found) > limits.max_expansions:
                raise QueryError(f"'{shown}' matches more than {limits.max_expansions} words in the index, the most "
                                 "one wildcard may stand for: type more letters before the '*'.", "wildcard_too_broad",
                                 term=shown, max=limits.max_expansions)
    return sorted(found)
