"""A commit's merge policy: single writes never rewrite the large segments; an optimize (a rebuild) does."""
from __future__ import annotations

from search_index import merging
from search_index.engine import SearchRequest, Visibility
from search_index.whoosh_engine import WhooshEngine
from tests.search.helpers import passage_document as doc


def test_a_single_write_never_rewrites_the_large_segments(tmp_path, monkeypatch):
    """Whoosh's default merge policy let one write's commit merge a whole index of many equal segments
    (records imported in batches: minutes under the writer lock). Commits merge only small ones."""
    monkeypatch.setattr(merging, "INLINE_MERGE_MAX_DOCS", 50)  # the bound, scaled down with the index
    engine = WhooshEngine(tmp_path / "index")
    for batch in range(21):  # 21 segments of 60 documents: Whoosh's policy would merge them all at once
        with engine.writer_lock():
            engine.apply([doc(n) for n in range(batch * 60, batch * 60 + 60)], [], batch + 1)
    generation = engine.current_generation()
    large = set(generation.glob("*.seg"))
    for i in range(30):
        with engine.writer_lock():
            engine.apply([doc(5000 + i)], [], 100 + i)
        assert large <= set(generation.glob("*.seg")), f"write {i} rewrote a large segment"
    small = set(generation.glob("*.seg")) - large
    assert len(small) < merging.INLINE_MERGE_MIN_SEGMENTS + 3  # single writes' segments are merged
    total = engine.search(SearchRequest(q="", visibility=Visibility(published=True), page_size=1)).total
    assert total == 21 * 60 + 30
    engine.optimize()  # large segments are merged by an optimize (a rebuild)
    assert len(list(generation.glob("*.seg"))) == 1
