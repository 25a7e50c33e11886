"""From the user's query string to a Whoosh query over the per-language fields.

The string is parsed once with a language-free grammar (words, "phrases", AND/OR/NOT, (groups),
field:value, prefix*, term~), checked against limits, and each word is then analysed with every analyser of
the languages present in the index, so a query matches records in every language, stemmed for each. Words
that name a glossary concept add that concept's terms in the other languages (``expand``), weighed below the
words typed: a record scores either its match of the typed word or, lower, its best match of one translation.
A typed word that is one of the glossary's everyday words (Italian ``tratta``) is matched in its language
as typed, not stemmed (not ``trattano``).
"""
from __future__ import annotations

import re
from functools import lru_cache

from whoosh import qparser
from whoosh import query as wq
from whoosh.analysis import RegexTokenizer
from whoosh.fields import ID, TEXT, Schema

from .analysis import NEUTRAL, TOKEN_PATTERN, analyse, field_language, fold, normalise_language, stopwords
from .engine import QueryError
from .expansion import ClosestWords
from .glossary import Glossary, default_glossary
from .limits import DEFAULT_LIMITS, Limits

TEXT_FIELDS = {"text": ("title", "body"), "title": ("title",), "body": ("body",)}
KEYWORD_FIELDS = {"type": "type", "country": "countries", "language": "languages", "topic": "topics",
                  "society": "society"}
USER_FIELDS = set(TEXT_FIELDS) | set(KEYWORD_FIELDS)

# A title's words weigh as the body's: a summary often repeats its title, so a title word is already counted
# in both fields; a boost on top of that did not hold on held-out queries, and neither did scoring only the
# better of title and body (bench/README.md, "Ranking on held-out halves and long records (issue 21)").
TITLE_BOOST = 1.0
# The language-neutral field (exact words in any language) weighs less than each language's stemmed fields
# (bench/README.md, "Figures that used to be in code comments").
ALL_FIELD_BOOST = 0.3
# A word's glossary equivalents weigh this much of the word itself, and a record scores the better of the two,
# never both (bench/README.md, "Expansions below the query's own words (issue 16)").
EXPANSION_BOOST = 0.3
FUZZY_BOOST = 0.4
OR_GROUP = qparser.OrGroup.factory(0.9)  # any word may match; documents matching more rank higher


_PARSE_SCHEMA = Schema(text=TEXT(analyzer=RegexTokenizer(TOKEN_PATTERN)),
                       title=TEXT(analyzer=RegexTokenizer(TOKEN_PATTERN)),
                       body=TEXT(analyzer=RegexTokenizer(TOKEN_PATTERN)),
                       **{name: ID() for name in KEYWORD_FIELDS})


def _parser() -> qparser.QueryParser:
    parser = qparser.QueryParser("text", _PARSE_SCHEMA, group=OR_GROUP)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.remove_plugin_class(qparser.RangePlugin)
    return parser


_PARSER = _parser()
_FIELD_REF = re.compile(r"(?<![\w\"'])([A-Za-z_]+):(?=\S)")


def normalise(q: str) -> str:
    """What people type in a search box, made safe for the grammar: a question mark is punctuation (not a
    one-letter wildcard), and ``Word:`` before a name that is no field is just a word."""
    if q.count('"') % 2:  # an unpaired quotation mark is punctuation, not an unfinished phrase
        head, _, tail = q.rpartition('"')
        q = head + " " + tail
    parts = re.split(r'("[^"]*")', q)
    for i in range(0, len(parts), 2):  # outside quotes
        part = parts[i].replace("?", " ")
        parts[i] = _FIELD_REF.sub(lambda m: m.group(0) if m.group(1) in USER_FIELDS else m.group(1) + " ", part)
    return "".join(parts)


def check_syntax(q: str, limits: Limits) -> None:
    if len(q) > limits.max_length:
        raise QueryError(f"The query is longer than {limits.max_length} characters.", "too_long",
                         max=limits.max_length)
    depth = 0
    for char in re.sub(r'"[^"]*"', "", q):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise QueryError("A closing parenthesis has no opening one.", "parenthesis_not_opened")
    if depth:
        raise QueryError("A parenthesis is not closed.", "parenthesis_not_closed")
    unquoted = re.sub(r'"[^"]*"', "", q)
    words = re.findall(TOKEN_PATTERN + r"|\*", unquoted + " " + " ".join(re.findall(r'"([^"]*)"', q)))
    if len(words) > limits.max_terms:
        raise QueryError(f"The query has more than {limits.max_terms} terms.", "too_many_terms", max=limits.max_terms)
    wildcards = re.findall(r"\S*[*]\S*", unquoted)
    if len(wildcards) > limits.max_wildcards:
        raise QueryError(f"The query has more than {limits.max_wildcards} wildcards.", "too_many_wildcards",
                         max=limits.max_wildcards)
    for pattern in wildcards:
        stem = pattern.split(":")[-1].lstrip("(-+").split("*")[0]
        if len(stem) < limits.min_prefix:
            raise QueryError(f"'{pattern}': a wildcard needs at least {limits.min_prefix} letters before it.",
                             "wildcard_too_short", term=pattern, min=limits.min_prefix)


class QueryBuilder:
    def __init__(self, languages: set[str], personal: bool, fuzzy: bool, expand: bool,
                 glossary: Glossary | None = None):
        self.languages = sorted(languages) or ["en"]  # field languages present in the index
        self.personal = personal
        self.fuzzy = fuzzy
        self.expand = expand
        self.glossary = glossary or default_glossary()
        self.limits = Limits()
        # Words that are stop words in any language present match nothing in the language-neutral field either
        # (there they would match nearly every document, slowly and for no gain).
        self.stopwords = _stopwords(tuple(self.languages))

    # --- the whole query --------------------------------------------------------------------------------
    def build(self, q: str, limits: Limits = DEFAULT_LIMITS) -> wq.Query:
        q = q.strip()
        if not q:
            return wq.Every()
        q = normalise(q)
        check_syntax(q, limits)
        self.limits = limits
        try:
            parsed = _PARSER.parse(q)
        except Exception as exc:  # whoosh's parser raises assorted errors
            raise QueryError(f"The query cannot be parsed: {exc}", "unparsable") from None
        built = self.convert(parsed)
        if built is wq.NullQuery:
            raise QueryError("The query has no searchable words (only stop words or operators).", "no_words")
        return built

    def convert(self, node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Not):
            return wq.Not(self.convert(node.query))
        if isinstance(node, (wq.AndNot, wq.AndMaybe, wq.Require)):
            return node.__class__(self.convert(node.a), self.convert(node.b))
        if isinstance(node, wq.compound.CompoundQuery):
            children = [self.convert(child) for child in node.subqueries]
            children = [c for c in children if c is not wq.NullQuery]
            if not children:
                return wq.NullQuery
            if isinstance(node, wq.Or):
                # "a b NOT c" means (a OR b) AND NOT c, as in every search box; whoosh's OR group would
                # read it as a OR b OR (anything but c).
                negated = [c.query for c in children if isinstance(c, wq.Not)]
                children = [c for c in children if not isinstance(c, wq.Not)]
                children += self._multiword_expansions(node)
                positive = wq.Or(children, boost=node.boost, scale=getattr(node, "scale", None)) if children \
                    else wq.Every()
                return wq.AndNot(positive, wq.Or(negated)) if negated else positive
            return node.__class__(children, boost=node.boost)
        if isinstance(node, wq.FuzzyTerm):
            if node.maxdist > self.limits.max_edits:
                raise QueryError(f"'{node.text}~{node.maxdist}': a fuzzy term may differ by at most "
                                 f"{self.limits.max_edits} edits (~{self.limits.max_edits}).", "fuzzy_edits",
                                 term=f"{node.text}~{node.maxdist}", max=self.limits.max_edits)
            return wq.FuzzyTerm("all", fold(node.text), maxdist=node.maxdist,
                                prefixlength=max(1, node.prefixlength), boost=node.boost)
        if isinstance(node, (wq.Prefix, wq.Wildcard)):
            return self._pattern(node)
        if isinstance(node, wq.Term):
            return self._term(node.fieldname, node.text, node.boost)
        if isinstance(node, wq.Phrase):
            return self._phrase(node.fieldname, list(node.words), node.boost)
        if isinstance(node, wq.Every):
            return wq.Every()
        return node

    # --- the pieces -------------------------------------------------------------------------------------
    def _pattern(self, node) -> wq.Query:
        if node.fieldname in KEYWORD_FIELDS:
            raise QueryError(f"Wildcards are not allowed in '{node.fieldname}:'.", "wildcard_in_filter",
                             field=node.fieldname)
        text = fold(node.text)
        if isinstance(node, wq.Prefix):
            return wq.Prefix("all", text, boost=node.boost)
        return wq.Wildcard("all", text, boost=node.boost)

    def _keyword(self, fieldname: str, value: str) -> wq.Query:
        target = KEYWORD_FIELDS[fieldname]
        if fieldname in ("country", "society"):
            value = value.upper()
        elif fieldname == "language":
            value = normalise_language(value) or value.lower()
        else:
            value = value.lower()
        return wq.Term(target, value)

    def _term(self, fieldname: str, word: str, boost: float = 1.0) -> wq.Query:
        if fieldname in KEYWORD_FIELDS:
            return self._keyword(fieldname, word)
        # An everyday word of the glossary is matched as typed in its languages (their stems mean other things).
        as_typed = {field_language(lang) for lang in self.glossary.everyday_languages(word)} - {NEUTRAL} \
            if fieldname == "text" else set()
        alternatives = self._word_in_fields(fieldname, word, as_typed)
        if fieldname == "text" and self.fuzzy and len(word) > 3:
            edits = min(1 if len(word) < 7 else 2, self.limits.max_edits)
            alternatives.append(ClosestWords("all", fold(word), maxdist=edits, prefixlength=1, boost=FUZZY_BOOST))
        expansions = self._expansions(word, typed_in=as_typed) if fieldname == "text" else []
        if not alternatives and not expansions:
            return wq.NullQuery
        return _below(alternatives, expansions, boost)

    def _word_in_fields(self, fieldname: str, word: str,
                        as_typed: frozenset[str] | set[str] = frozenset()) -> list[wq.Query]:
        """The word in each language's fields, stemmed, and in the language-neutral field as typed; in the
        languages of ``as_typed`` only as typed (in the language-neutral field, at full weight)."""
        alternatives: list[wq.Query] = []
        for part in TEXT_FIELDS[fieldname]:
            boost = TITLE_BOOST if part == "title" else 1.0
            for language in self.languages:
                if language in as_typed:
                    continue
                tokens = analyse(language, word)
                if len(tokens) == 1:
                    alternatives.append(wq.Term(f"{part}_{language}", tokens[0], boost=boost))
                elif tokens:
                    alternatives.append(wq.Phrase(f"{part}_{language}", tokens, boost=boost))
        folded = [t for t in analyse("xx", word) if t not in self.stopwords]
        typed_boost = 1.0 if as_typed & set(self.languages) else ALL_FIELD_BOOST
        if fieldname == "text" and folded and typed_boost:
            alternatives.append(_term_or_phrase("all", folded, typed_boost))
            if self.personal:
                alternatives.append(_term_or_phrase("personal", folded, 1.0))
        return alternatives

    def _phrase(self, fieldname: str, words: list[str], boost: float = 1.0) -> wq.Query:
        if fieldname in KEYWORD_FIELDS:
            return self._keyword(fieldname, " ".join(words))
        alternatives: list[wq.Query] = []
        text = " ".join(words)
        for part in TEXT_FIELDS[fieldname]:
            part_boost = TITLE_BOOST if part == "title" else 1.0
            for language in self.languages:
                tokens = analyse(language, text)
                if tokens:
                    alternatives.append(_term_or_phrase(f"{part}_{language}", tokens, part_boost))
        if fieldname == "text":
            folded = analyse("xx", text)
            if folded and ALL_FIELD_BOOST:
                alternatives.append(_term_or_phrase("all", folded, ALL_FIELD_BOOST))
                if self.personal:
                    alternatives.append(_term_or_phrase("personal", folded, 1.0))
            expansions = self._expansions(text)
            if alternatives or expansions:
                return _below(alternatives, expansions, boost)
        return wq.Or(alternatives, boost=boost) if alternatives else wq.NullQuery

    def _expansions(self, text: str, exclude: frozenset[str] = frozenset(),
                    typed_in: frozenset[str] | set[str] = frozenset()) -> list[wq.Query]:
        """The glossary's terms, in every language present, for the concepts ``text`` names: one query per
        term, its title and body, a term of several words counting as one word (its words' mean score). Not
        in the languages of ``typed_in``: the typed word itself, matched as typed, finds those records."""
        if not self.expand:
            return []
        queries: list[wq.Query] = []
        present = set(self.languages) - set(typed_in)
        for concept in self.glossary.match(text):
            if concept.id in exclude:
                continue
            for language, terms in concept.terms.items():
                analyser = field_language(language)
                if analyser not in present:
                    continue
                for term in terms:
                    tokens = analyse(analyser, term)
                    if tokens:
                        queries.append(wq.Or([_term_or_phrase(f"{part}_{analyser}", tokens, weight / len(tokens))
                                              for part, weight in (("title", TITLE_BOOST), ("body", 1.0))]))
        return queries

    def _multiword_expansions(self, node: wq.Or) -> list[wq.Query]:
        """Glossary terms of several words typed without quotes (human trafficking) are separate terms in
        an OR group: match the group's words together."""
        words = [child.text for child in node.subqueries
                 if isinstance(child, wq.Term) and child.fieldname == "text"]
        if len(words) < 2 or not self.expand:
            return []
        single = frozenset(c.id for w in words for c in self.glossary.match(w))
        expansions = self._expansions(" ".join(words), exclude=single)
        return [_translations(expansions)] if expansions else []


@lru_cache(maxsize=64)
def _stopwords(languages: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold(w) for language in languages if language != "xx" for w in stopwords(language))


def _below(alternatives: list[wq.Query], expansions: list[wq.Query], boost: float) -> wq.Query:
    """A word (its ``alternatives``, summed) or, weighed below it, the best of its glossary ``expansions``: a
    record scores the better of the two, so holding both the word and a translation gains nothing."""
    if not expansions:
        return wq.Or(alternatives, boost=boost)
    translated = _translations(expansions)
    if not alternatives:
        return wq.Or([translated], boost=boost)
    return wq.DisjunctionMax([wq.Or(alternatives), translated], boost=boost)


def _translations(expansions: list[wq.Query]) -> wq.Query:
    """The glossary's translations of a word, the best of them weighed below the word; marked, so that a hit
    can tell the words typed from their translations (``translated_terms``)."""
    node = wq.DisjunctionMax(expansions, boost=EXPANSION_BOOST)
    node.glossary_translations = True  # an attribute, not a subclass: the scorer dispatches on the exact type
    return node


def translated_terms(node: wq.Query) -> frozenset[tuple[str, bytes]]:
    """The (field, bytes) terms of ``node`` that stand only for glossary translations of the words typed."""
    found: set[tuple[str, bytes]] = set()
    own: set[tuple[str, bytes]] = set()

    def walk(query: wq.Query, translated: bool) -> None:
        translated = translated or getattr(query, "glossary_translations", False)
        if query.is_leaf():
            for fieldname, text in query.iter_all_terms(phrases=True):
                term = (fieldname, text if isinstance(text, bytes) else str(text).encode("utf-8"))
                (found if translated else own).add(term)
            return
        for child in query.children():
            walk(child, translated)

    walk(node, False)
    return frozenset(found - own)  # a term that is also a word typed counts as typed


def _term_or_phrase(fieldname: str, tokens: list[str], boost: float) -> wq.Query:
    if len(tokens) == 1:
        return wq.Term(fieldname, tokens[0], boost=boost)
    return wq.Phrase(fieldname, tokens, boost=boost)


def plain_words(q: str) -> list[str]:
    """The words of a query outside quotes, operators and field references: for 'did you mean'."""
    unquoted = re.sub(r'"[^"]*"', " ", q)
    unquoted = re.sub(r"\b[A-Za-z_]+:\S+", " ", unquoted)
    return [w for w in re.findall(TOKEN_PATTERN, unquoted) if w not in ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE")]
