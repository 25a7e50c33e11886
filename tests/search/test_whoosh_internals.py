"""Readers read the index from the map without copying it, and read exactly what a copy would give; caches kept
per segment stay right as segments change."""
from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys

import pytest

from search_index.engine import SearchRequest, Visibility
from search_index.whoosh_engine import WhooshEngine
from search_index.whoosh_internals import MappedFile
from tests.conftest import ROOT
from tests.search.helpers import passage_document as doc


def test_mapped_file_reads_as_a_bytesio_would():
    data = bytes(random.Random(3).getrandbits(8) for _ in range(5000)) + b"line one\nline two\n"
    ours, theirs = MappedFile(memoryview(data)), io.BytesIO(data)
    rng = random.Random(5)
    for _ in range(2000):
        op = rng.choice(["read", "read_all", "seek", "seek_cur", "seek_end", "readline", "tell"])
        if op == "read":
            n = rng.randrange(0, 300)
            assert ours.read(n) == theirs.read(n)
        elif op == "read_all" and rng.random() < 0.05:
            assert ours.read() == theirs.read()
        elif op == "seek":
            pos = rng.randrange(0, len(data) + 50)
            assert ours.seek(pos) == theirs.seek(pos)
        elif op == "seek_cur":
            delta = rng.randrange(-min(ours.tell(), 100), 100)
            assert ours.seek(delta, os.SEEK_CUR) == theirs.seek(delta, os.SEEK_CUR)
        elif op == "seek_end":
            delta = -rng.randrange(0, 100)
            assert ours.seek(delta, os.SEEK_END) == theirs.seek(delta, os.SEEK_END)
        elif op == "readline":
            assert ours.readline() == theirs.readline()
        assert ours.tell() == theirs.tell()
    with pytest.raises(ValueError):
        ours.seek(-1)


MEASURE = """
import json, sys, tracemalloc
from search_index.engine import SearchRequest, Visibility
from search_index.whoosh_engine import WhooshEngine
engine = WhooshEngine(sys.argv[1])
request = SearchRequest(q="trafficking victims", visibility=Visibility(published=True))
engine.search(request)  # analyzers and the glossary loaded once, outside the measure
tracemalloc.start()
engine.reset_readers()
searcher = engine.searcher()
result = engine.search(request)
_, peak = tracemalloc.get_traced_memory()
print(json.dumps({"peak": peak, "documents": searcher.doc_count(), "total": result.total}))
"""


def test_opening_a_searcher_does_not_copy_the_index(tmp_path):
    engine = WhooshEngine(tmp_path / "index")
    with engine.writer_lock():
        engine.apply([doc(n) for n in range(3000)], [], 1)
    size = sum(p.stat().st_size for p in engine.current_generation().iterdir())
    assert size > 3_000_000  # big enough that a copy would show
    # Measured in a process of its own: tracemalloc counts every thread's allocations, and the suite's other
    # apps keep indexer threads polling beside this one.
    measured = subprocess.run([sys.executable, "-c", MEASURE, str(tmp_path / "index")], capture_output=True,
                              text=True, check=True, timeout=120, cwd=ROOT)
    figures = json.loads(measured.stdout)
    assert figures["documents"] == 3001 and figures["total"] == 3000
    peak = figures["peak"]
    assert peak < size / 8, f"opening and one search allocated {peak} bytes for a {size}-byte index"


def test_filters_stay_right_as_segments_change(tmp_path):
    """The per-segment filter cache: a new segment, a deletion in an old one, an update, a merge."""
    engine = WhooshEngine(tmp_path / "index")
    published = Visibility(published=True)
    with engine.writer_lock():
        engine.apply([doc(n) for n in range(40)], [], 1)
    assert engine.search(SearchRequest(q="", visibility=published, page_size=100)).total == 40
    with engine.writer_lock():
        engine.apply([doc(n) for n in range(40, 45)], ["practice:3", "practice:7"], 2)
    first = engine.search(SearchRequest(q="", visibility=published, page_size=100))
    assert first.total == 43 and {"3", "7"}.isdisjoint(h.record_id for h in first.hits)
    hidden = doc(5)
    hidden.status = "draft"
    with engine.writer_lock():
        engine.apply([hidden], [], 3)
    after = engine.search(SearchRequest(q="", visibility=published, page_size=100))
    assert after.total == 42 and "5" not in {h.record_id for h in after.hits}
    engine.optimize()
    merged = engine.search(SearchRequest(q="", visibility=published, page_size=100))
    assert {h.record_id for h in merged.hits} == {h.record_id for h in after.hits}
