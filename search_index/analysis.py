"""Languages: one analyser per language (tokenise, lower-case, stop words, stem, fold accents), a neutral one
for languages without a stemmer, and language-code normalisation.

Stemming runs on the accented word (the Snowball algorithms expect it), then accents are folded, so that
``êtres`` and ``etres`` meet in the language-neutral ``all`` field and the stemmed fields alike.
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import Stemmer
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer
from whoosh.lang import has_stopwords, stopwords_for_language

# ISO 639-1 -> Snowball algorithm (PyStemmer). Languages of Europe and of the network's migrants.
SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "et": "estonian", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hu": "hungarian", "hy": "armenian", "it": "italian", "lt": "lithuanian", "nl": "dutch",
    "no": "norwegian", "nb": "norwegian", "nn": "norwegian", "pl": "polish", "pt": "portuguese",
    "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish", "tr": "turkish",
}
NEUTRAL = "xx"  # the analyser (and field suffix) for every language without a stemmer
STEMMED_LANGUAGES = tuple(sorted({code for code in SNOWBALL if code not in ("nb", "nn")}))
FIELD_LANGUAGES = STEMMED_LANGUAGES + (NEUTRAL,)
_CODE = re.compile(r"^([A-Za-z]{2,3})(?:[-_].*)?$")
TOKEN_PATTERN = r"\w+(?:[.'’]\w+)*"


def normalise_language(code: str | None) -> str | None:
    """``pt-BR`` -> ``pt``, ``EN`` -> ``en``, ``nb`` -> ``no``; None for nothing usable."""
    if not code:
        return None
    match = _CODE.match(code.strip())
    if not match:
        return None
    base = match.group(1).lower()
    return "no" if base in ("nb", "nn") else base


def field_language(code: str | None) -> str:
    """The analyser a language's text goes through: its own if it has a stemmer, else the neutral one."""
    code = normalise_language(code)
    return code if code in SNOWBALL else NEUTRAL


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower-case without accents: ``Êtres`` -> ``etres``, ``Straße`` -> ``strasse``, ``ς`` -> ``σ``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class FoldFilter(Filter):
    def __call__(self, tokens):
        for token in tokens:
            token.text = fold(token.text)
            yield token


class SnowballFilter(Filter):
    """Stems with PyStemmer (C, fast), caching each language's stems."""

    def __init__(self, language: str):
        self.language = language
        self._stem = _stemmer(language)

    def __eq__(self, other):
        return isinstance(other, SnowballFilter) and other.language == self.language

    def __call__(self, tokens):
        stem = self._stem
        for token in tokens:
            if not token.stopped:
                token.text = stem(token.text)
            yield token

    def __getstate__(self):
        return {"language": self.language}

    def __setstate__(self, state):
        self.language = state["language"]
        self._stem = _stemmer(self.language)


@cache
def _stemmer(language: str):
    stemmer = Stemmer.Stemmer(SNOWBALL[language])
    stemmer.maxCacheSize = 50_000
    return stemmer.stemWord


@cache
def stopwords(language: str) -> frozenset[str]:
    """Whoosh's stop words where it has them, else the stopwords-iso list; accent-folded (matched folded)."""
    if has_stopwords(language):
        words = stopwords_for_language(language)
    else:
        import stopwordsiso

        words = stopwordsiso.stopwords(language) if stopwordsiso.has_lang(language) else ()
    return frozenset(fold(w) for w in words)


class StopWordFilter(Filter):
    """Drops stop words, compared accent-folded (so ``και`` and ``καί`` are both stopped), renumbering
    positions as whoosh's StopFilter does, so that phrases match across removed words."""

    def __init__(self, words: frozenset[str]):
        self.words = words

    def __eq__(self, other):
        return isinstance(other, StopWordFilter) and other.words == self.words

    def __call__(self, tokens):
        words = self.words
        pos = None
        for token in tokens:
            if fold(token.text) not in words:
                if token.positions:
                    pos = token.pos if pos is None else pos + 1
                    token.pos = pos
                token.stopped = False
                yield token
            elif not token.removestops:
                token.stopped = True
                yield token


def analyzer(language: str):
    """The index-and-query analyser of a field language (a code of FIELD_LANGUAGES)."""
    chain = RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter()
    if language == NEUTRAL:
        return chain | FoldFilter()
    words = stopwords(language)
    if words:
        chain = chain | StopWordFilter(words)
    return chain | SnowballFilter(language) | FoldFilter()


def neutral_analyzer():
    return analyzer(NEUTRAL)


@cache
def cached_analyzer(language: str):
    return analyzer(language)


def analyse(language: str, text: str) -> list[str]:
    """The terms ``text`` gives in a field of ``language`` (stop words removed)."""
    return list(_analysed(language, text))


@lru_cache(maxsize=50_000)
def _analysed(language: str, text: str) -> tuple[str, ...]:
    return tuple(t.text for t in cached_analyzer(language)(text))


_TOKEN = re.compile(TOKEN_PATTERN)
_TERM_TEXTS: dict[str, dict[str, str]] = {}


def token_spans(language: str, text: str) -> list[tuple[int, int, str]]:
    """(start, end, term text) of every token of ``text`` as ``analyzer(language)`` gives them with
    ``removestops=False`` (a stop word's text is the folded word), computed with a cache per word: what
    highlighting needs, many times faster than running the analyser's token pipeline."""
    cache = _TERM_TEXTS.setdefault(language, {})
    if len(cache) > 200_000:
        cache.clear()
    spans = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        term = cache.get(word)
        if term is None:
            term = cache[word] = _term_text(language, word)
        spans.append((match.start(), match.end(), term))
    return spans


def _term_text(language: str, word: str) -> str:
    lower = word.lower()
    if language == NEUTRAL:
        return fold(lower)
    if fold(lower) in stopwords(language):
        return fold(lower)
    return fold(_stemmer(language)(lower))
