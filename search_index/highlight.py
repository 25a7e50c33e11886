"""Snippets: a fragment of a hit's text around the words it matched, marked ``<mark>word</mark>``, read only
from fields the caller may read on the record itself; and the attached file's page a snippet came from.

Whoosh's ``Highlighter`` re-analyses the field's whole text into a ``Token`` object per token; here the
tokens come from a per-word cache as (start, end, term) tuples, and Whoosh's own objects are made only for
the matched tokens and the fragments found (bench/README.md, "Where the time went: snippets").
"""
from __future__ import annotations

import html
import json
import re
from collections import deque

from whoosh.analysis import Token
from whoosh.highlight import (
    ContextFragmenter,
    Highlighter,
    HtmlFormatter,
    get_text,
    highlight,
    htmlescape,
    mkfrag,
    top_fragments,
)

from .analysis import NEUTRAL, field_language, neutral_analyzer, token_spans

# Hits of one search that get a snippet: a page's worth (page_size is at most 100). An export's later rows have
# none: each snippet re-reads its hit's text, and an export may hold every record.
MAX_SNIPPETS = 100


class _MarkFormatter(HtmlFormatter):
    """Matched words as plain ``<mark>word</mark>`` (the text around them HTML-escaped)."""

    def format_token(self, text, token, replace=False):
        return f"<mark>{htmlescape(get_text(text, token, replace))}</mark>"


_MARK = _MarkFormatter()


def new_highlighter() -> Highlighter:
    """The highlighter of one search (as Whoosh's ``Results`` had one: it numbers the terms per search)."""
    return Highlighter(formatter=_MARK)


def snippet_of(fields: dict, matched_terms, personal: bool, highlighter: Highlighter) -> tuple[str | None, str | None]:
    """A highlighted fragment from the first field that matched, among those the caller may read."""
    main = field_language(fields.get("language"))
    names = [n for n in fields if n.startswith(("title_", "body_"))]
    # The record's own language first (its words, not a translation's), the body before the title.
    names.sort(key=lambda n: (n.split("_", 1)[1] != main, not n.startswith("body_"), n))
    if personal and fields.get("personal"):
        names.append("personal")
    words: dict[str, set[str]] = {}
    for field, term in matched_terms:
        words.setdefault(field, set()).add(term.decode() if isinstance(term, bytes) else term)
    names.sort(key=lambda n: -len(words.get(n, ())))  # the field matching the most words first (stable)
    for name in names:
        if name in words:  # only fields this hit matched in are read again
            text = best_fragment(highlighter, fields[name], frozenset(words[name]), _field_language(name))
            if text:
                return text, name.split("_")[0]
    # Matched through the language-neutral field only (prefix, fuzzy, a word of another language): mark
    # those words in the record's own text.
    if words.get("all"):
        for name in names:
            text = highlight(fields[name], frozenset(words["all"]), neutral_analyzer(),
                             ContextFragmenter(surround=60), _MARK, top=1)
            if text:
                return text, name.split("_")[0]
    return None, None


def _field_language(name: str) -> str:
    return NEUTRAL if name == "personal" else name.split("_", 1)[1]


WINDOW = 400  # characters of context kept around each matched token: beyond the fragmenter's reach, but for
# runs of more than WINDOW characters without a word next to a match (its countdown counts word characters)


def best_fragment(highlighter: Highlighter, text: str, words: frozenset[str], language: str) -> str:
    """What whoosh's ``Highlighter.highlight_hit`` (``hit.highlights(name, top=1)``, retokenising the stored
    text with a ContextFragmenter) gives, computed on (start, end, term) tuples of the tokens near a matched
    one, the field's tokens from a per-word cache; only the fragments found are handed to whoosh's scorer and
    formatter. ``tests/search/test_engine_fast_paths.py`` holds it to whoosh's own output. (Where more than
    WINDOW characters without a word border a match, as in a long row of dashes, whoosh's fragment would
    reach across them; this one stops at the window.)"""
    spans = token_spans(language, text)
    matched = [i for i, span in enumerate(spans) if span[2] in words]
    if not matched:
        return ""
    keep: list[int] = []
    last = -1
    for i in matched:
        start = spans[i][0] - WINDOW
        lo = i
        while lo > 0 and lo - 1 > last and spans[lo - 1][0] >= start:
            lo -= 1
        end = spans[i][1] + WINDOW
        hi = i
        while hi + 1 < len(spans) and spans[hi + 1][1] <= end:
            hi += 1
        keep.extend(range(max(lo, last + 1), hi + 1))
        last = max(last, hi)
    # (Highlighter._merge_matched_tokens joins matched tokens that touch; this tokenizer's never do.)
    fragments = _context_fragments(highlighter.fragmenter, text, spans, keep, words)
    best = top_fragments(fragments, 1, highlighter.scorer, highlighter.order, minscore=1)
    return highlighter.formatter.format(best)


def _context_fragments(fragmenter: ContextFragmenter, text: str, spans, keep: list[int], words: frozenset[str]):
    """``ContextFragmenter.fragment_tokens`` over ``spans[i]`` for ``i`` in ``keep``, step for step (its
    quirks included): its Fragments, holding Tokens for the matched words only."""
    maxchars, surround, charlimit = fragmenter.maxchars, fragmenter.surround, fragmenter.charlimit
    first: int | None = None
    firsts: deque[int] = deque()
    countdown, tks, endchar, currentlen = -1, [], None, 0
    for i in keep:
        startchar, endchar, term = spans[i]
        tlength = endchar - startchar
        if charlimit and endchar > charlimit:
            break
        hit = term in words
        if countdown < 0 and not hit:
            firsts.append(startchar)
            while firsts and endchar - firsts[0] > surround:
                firsts.popleft()
        elif currentlen + tlength > maxchars:
            countdown = 0
        elif hit:
            countdown = surround
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = startchar
                    countdown += surround
            token = Token(positions=True, chars=True, removestops=False, mode="index")
            token.text, token.pos, token.startchar, token.endchar, token.matched = term, i, startchar, endchar, True
            tks.append(token)
        if countdown >= 0:
            currentlen += tlength
            countdown -= tlength
            if countdown <= 0:
                yield mkfrag(text, tks, startchar=first, endchar=endchar)
                tks, firsts, first, currentlen = [], deque(), None, 0
    if tks:
        yield mkfrag(text, tks, startchar=first, endchar=endchar)


def file_of(snippet: str, file_pages: str) -> dict | None:
    """The file page a snippet was cut from (its text, without the marks, is found in that page)."""
    # A fragment may run across the join of two texts: look for its lines that hold a marked word.
    lines = [line for piece in snippet.split("...") for line in piece.split("\n") if "<mark" in line]
    candidates = sorted({html.unescape(re.sub(r"</?mark[^>]*>", "", line)).strip() for line in lines},
                        key=len, reverse=True)
    pages = json.loads(file_pages)
    for candidate in filter(None, candidates):
        for page in pages:
            if candidate in page["text"]:
                return {"id": page["id"], "filename": page["filename"], "page": page["page"]}
    return None
