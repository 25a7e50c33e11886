"""'Did you mean': words of the query unknown to what the caller may read, each replaced by the closest word
that is known to it.

The dictionary is a visibility class, never the whole index: the words of the published records the caller
may read (the public's, or the network's for callers with ``read``), never a draft's, a record's under review,
or anything of another class, whoever asks; contacts' personal fields (name, email, phone) only for callers
who may read them. The index holds every state of every society's records in one vocabulary, so a word is
judged by the documents holding it (its postings within the class), its frequency counted there too: a
word only a hidden document holds is neither offered nor counted as known. (DESIGN.md: derived data is
computed per visibility class.)

Bounded on purpose: candidates are the index words at most two edits away that start with the same three
letters (``vocabulary.words_within``), and a word's postings are read only for those.
"""
from __future__ import annotations

from .analysis import fold
from .limits import Deadline
from .matchsets import Mask, MatchSets
from .query import plain_words
from .vocabulary import Vocabulary, words_within

MIN_LETTERS = 4  # shorter words are left as typed
SAME_START = 3  # letters a suggestion shares with the word
MAX_EDITS = 2


def suggest(sets: MatchSets, vocabulary: Vocabulary, q: str, dictionary: Mask, fields: tuple[str, ...],
            deadline: Deadline) -> str | None:
    """``q`` with each unknown word replaced by its closest known one; None when nothing changed.
    ``dictionary``: the documents whose words may be offered; ``fields``: the fields they are read from."""
    reader = sets.searcher.reader()
    corrected, changed = [], False
    for word in plain_words(q):
        folded = fold(word)
        if len(folded) >= MIN_LETTERS and not _count(sets, fields, folded, dictionary):
            best = _closest(sets, vocabulary, reader, fields, folded, dictionary, deadline)
            if best:
                corrected.append(best)
                changed = True
                continue
        corrected.append(word)
    return " ".join(corrected) if changed else None


def _count(sets: MatchSets, fields: tuple[str, ...], word: str, dictionary: Mask) -> int:
    """Documents of the dictionary holding ``word`` (in any of ``fields``)."""
    return max(int(dictionary.array[sets.holding(field, word)].sum()) for field in fields)


def _closest(sets: MatchSets, vocabulary: Vocabulary, reader, fields: tuple[str, ...], word: str, dictionary: Mask,
             deadline: Deadline) -> str | None:
    """The known word fewest edits away, then in the most documents of the dictionary."""
    best, best_key = None, None
    for field in fields:
        near = words_within(reader, vocabulary, field, word, MAX_EDITS, SAME_START, deadline)
        for candidate, distance in near.items():
            known = _count(sets, (field,), candidate, dictionary)
            if known:
                key = (distance, -known, candidate)
                if best_key is None or key < best_key:
                    best, best_key = candidate, key
    return best
