"""The engine's fast paths give what Whoosh's own slower ones gave: scores and match sets computed from the
posting lists, and highlights from cached per-word analysis (no database needed)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from whoosh import query as wq
from whoosh.highlight import Highlighter, set_matched_filter, top_fragments
from whoosh.matching.binary import DisjunctionMaxMatcher
from whoosh.reading import IndexReader

from search_index.analysis import analyzer, token_spans
from search_index.engine import Document, SearchRequest
from search_index.highlight import best_fragment
from search_index.limits import NO_DEADLINE
from search_index.matchsets import WORD_COORDINATION_POWER, MatchSets, PostingCache
from search_index.query import QueryBuilder
from search_index.vocabulary import Vocabulary, words_within
from search_index.whoosh_engine import WhooshEngine, present_languages

TEXTS = {
    "en": ["Human trafficking victims were identified by the Red Cross in the ports of Rotterdam and Antwerp.",
           "Labour exploitation in agriculture: a reflection period for victims, residence permits and legal aid.",
           "The trafficked workers' identification is the first step; the Red Cross runs a helpline."],
    "nl": ["Slachtoffers van mensenhandel krijgen een bedenktijd en juridische hulp van het Rode Kruis.",
           "Arbeidsuitbuiting in de land- en tuinbouw wordt vaak niet herkend als mensenhandel."],
    "de": ["Menschenhandel und Arbeitsausbeutung: Opfer erhalten eine Bedenkzeit und Aufenthaltserlaubnis.",
           "Das Deutsche Rote Kreuz berät Betroffene von Menschenhandel in Berlin und Hamburg."],
    "fr": ["La traite des êtres humains touche des milliers de victimes; la Croix-Rouge les accompagne.",
           "Exploitation par le travail et criminalité forcée: identifier les victimes de la traite."],
    "el": ["Η εμπορία ανθρώπων είναι έγκλημα· ο Ερυθρός Σταυρός βοηθά τα θύματα εμπορίας στην Αθήνα.",
           "Τα θύματα εκμετάλλευσης της εργασίας λαμβάνουν νομική βοήθεια και άδεια διαμονής."],
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    engine = WhooshEngine(tmp_path_factory.mktemp("index"))
    docs, n = [], 0
    for language, texts in TEXTS.items():
        for round_ in range(3):  # several segments: three commits
            for text in texts:
                n += 1
                docs.append(Document(
                    key=f"practice:{n}", type="practice", record_id=str(n), external_id=None, society="NL",
                    status="published", visibility="public", language=language, languages=[language],
                    countries=["NL"], topics=[], updated_at=datetime(2026, 1, 1 + n % 28, tzinfo=UTC),
                    version=1, title=" ".join(text.split()[: 4 + round_]), texts=[
                        (language, "title", " ".join(text.split()[: 4 + round_])),
                        (language, "body", " ".join([text] * (round_ + 1)))]))
    for part in range(3):
        with engine.writer_lock():
            engine.apply(docs[part::3], [], part + 1)
    with engine.writer_lock():  # an update and a deletion: deleted documents stay in the postings
        engine.apply([docs[0]], [docs[1].key], 4)
    return engine


QUERIES = ["trafficking", "human trafficking victims", "mensenhandel", '"red cross"', "traffick*", "victims NOT berlin",
           "(victims OR opfer) AND hilfe", "θύματα εμπορίας", "exploitation travail", "êtres humains", "nothingmatches",
           '"human trafficking victims"', '"red cross" victims', '"trafficking victims" OR "legal aid"',
           '"victims victims" "θύματα εμπορίας"', "victms~ OR traffickng~2", "traf*ing identif*", "exploitaton~"]


def _dismax_score(self):
    """Whoosh's ``DisjunctionMaxMatcher.score``, mended: Whoosh 2.7 takes the max of both sub-matchers' scores
    even when only one of them is on the current document (``UnionMatcher.score`` looks at the ids)."""
    a, b = self.a, self.b
    if not a.is_active() or (b.is_active() and b.id() < a.id()):
        return b.score()
    if not b.is_active() or a.id() < b.id():
        return a.score()
    return max(a.score(), b.score())


@pytest.fixture
def whoosh_dismax_mended(monkeypatch):
    monkeypatch.setattr(DisjunctionMaxMatcher, "score", _dismax_score)


@pytest.mark.parametrize("q", QUERIES)
def test_scores_and_matches_are_whooshs(engine, q, whoosh_dismax_mended):
    searcher = engine.searcher()
    query = QueryBuilder(present_languages(searcher), personal=False, fuzzy=False, expand=True).build(q)
    query = wq.AndMaybe(query, wq.Term("languages", "de", boost=0.05))
    scored = MatchSets(searcher, PostingCache()).score(query)
    live = set(searcher.docs_for_query(wq.Term("kind", "record")))
    ours = {int(d): s for d, s in zip(scored.ids, scored.scores, strict=True) if int(d) in live}
    theirs = {docnum: score for docnum, score in _whoosh_scores(searcher, query) if docnum in live}
    assert set(ours) == set(theirs)
    for docnum, score in theirs.items():
        assert ours[docnum] == pytest.approx(score, rel=1e-9, abs=1e-12)


def _whoosh_scores(searcher, query):
    """Every match and its score, stepping through Whoosh's matcher tree. (Not searcher.search(): its
    collectors replace the tree as sub-matchers run out, and the coordination bonus then counts fewer terms,
    so a document's score depends on how far the walk has gone.)"""
    context = searcher.context(needs_current=True)
    for subsearcher, offset in searcher.leaf_searchers():
        matcher = query.matcher(subsearcher, context)
        while matcher.is_active():
            yield matcher.id() + offset, matcher.score()
            matcher.next()


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_token_spans_are_the_analysers(language):
    for text in TEXTS[language]:
        tokens = analyzer(language)(text, positions=True, chars=True, mode="index", removestops=False)
        assert token_spans(language, text) == [(t.startchar, t.endchar, t.text) for t in tokens]


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_highlights_are_whooshs(language):
    text = " ".join(TEXTS[language] * 6)  # long enough for fragments far apart
    field_analyzer = analyzer(language)
    vocabulary = sorted({t.text for t in field_analyzer(text)})
    # single words, pairs, sparse and dense sets: fragments cut short, merged, far apart, one per match
    for words in (vocabulary[:1], vocabulary[3:5], vocabulary[::7], vocabulary[-2:], vocabulary[::2],
                  vocabulary[1::3], vocabulary, *([word] for word in vocabulary[::5])):
        words = frozenset(words)
        reference = Highlighter()
        tokens = field_analyzer(text, positions=True, chars=True, mode="index", removestops=False)
        tokens = Highlighter._merge_matched_tokens(set_matched_filter(tokens, words))
        expected = reference.formatter.format(top_fragments(reference.fragmenter.fragment_tokens(text, tokens), 1,
                                                            reference.scorer, reference.order, minscore=1))
        assert best_fragment(Highlighter(), text, words, language) == expected


def test_search_totals_are_exact(engine):
    searcher = engine.searcher()
    for q in QUERIES:
        result = engine.search(SearchRequest(q=q, page_size=2))
        query = QueryBuilder(present_languages(searcher), personal=False, fuzzy=False, expand=True).build(q)
        public = wq.And([wq.Term("kind", "record"), wq.Term("status", "published"), wq.Term("visibility", "public")])
        assert result.total == len(set(searcher.docs_for_query(wq.And([query, public]))))
        assert sum(result.facets["language"].values()) == result.total


def test_word_coordination_scales_a_score_by_the_share_of_query_words_matched(engine):
    import numpy as np

    searcher = engine.searcher()
    query = QueryBuilder(present_languages(searcher), personal=False, fuzzy=False,
                         expand=False).build("trafficking victims identified")
    assert isinstance(query, wq.Or) and query.scale and len(query.subqueries) == 3
    summed = MatchSets(searcher, PostingCache()).score(wq.Or(query.subqueries))  # no scale: a plain sum
    ranked = MatchSets(searcher, PostingCache(), word_coordination=True).score(query)
    matched = np.zeros(len(summed.ids))
    for word in query.subqueries:
        matched[np.searchsorted(summed.ids, MatchSets(searcher, PostingCache()).score(word).ids)] += 1
    assert list(ranked.ids) == list(summed.ids)
    assert ranked.scores == pytest.approx(summed.scores * (matched / 3) ** WORD_COORDINATION_POWER)
    assert 0 < WORD_COORDINATION_POWER < 1  # a document matching one word of three ranks lower, not out
    assert {1.0, 3.0} <= set(matched)  # documents matching one word and all three words are both there


PUBLIC = wq.And([wq.Term("kind", "record"), wq.Term("status", "published"), wq.Term("visibility", "public")])


@pytest.mark.parametrize("sort,field,reverse", [("newest", "updated_at", True), ("title", "title_sort", False)])
def test_sorted_results_come_in_whooshs_order(engine, sort, field, reverse):
    searcher = engine.searcher()
    builder = QueryBuilder(present_languages(searcher), personal=False, fuzzy=False, expand=True)
    for q in ["", "trafficking", "victims NOT berlin", '"red cross"', "traffick*"]:
        ours = [hit.key for hit in engine.search(SearchRequest(q=q, sort=sort, page_size=0, facets=False)).hits]
        query = wq.And([builder.build(q), PUBLIC]) if q else PUBLIC
        theirs = [hit["key"] for hit in searcher.search(query, sortedby=field, reverse=reverse, limit=None)]
        assert ours == theirs and ours


@pytest.mark.parametrize("maxdist", [0, 1, 2])
@pytest.mark.parametrize("prefix", [1, 3])
def test_words_near_a_word_are_whooshs(engine, maxdist, prefix):
    """The index words within a few edits (a transposition counting one) are those Whoosh's own edit distance
    finds in every segment, for words of the index, typos of them, and words of no language."""
    reader = engine.searcher().reader()
    vocabulary = Vocabulary()
    words = [term.decode() for term in reader.lexicon("all")]
    probes = words[::7] + [w[:-1] for w in words[::11] if len(w) > 1]
    probes += [w[:2] + w[3] + w[2] + w[4:] for w in words[::13] if len(w) > 4]  # two letters swapped
    probes += ["ab", "θύμτα", "x" * 40, "menschenhndel", "victism"]
    for word in probes:
        ours = words_within(reader, vocabulary, "all", word, maxdist, prefix, NO_DEADLINE)
        theirs = set(IndexReader.terms_within(reader, "all", word, maxdist, prefix=prefix))
        assert set(ours) == theirs, word
        assert all(distance <= maxdist for distance in ours.values())
