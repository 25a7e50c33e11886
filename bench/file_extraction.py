"""Throughput of training material files: text extraction (MB/s, pages/s) and indexing of the extracted text,
for a batch of PDFs made from real text.

    python bench/file_extraction.py [--files 100] [--pages 10] [--time-limit 600]

1. PDFs are written from the passages of the shared data (cranfield and the XQuAD-R sets in de, en, es:
   Latin-1 text, since the PDFs use a standard font), 40 lines of 90 characters a page.
2. Parser alone: `extract_here` (pypdf in this process) on every PDF: MB/s, pages/s.
3. As in production: an `Extractor` (one child process with its memory limit, a time limit per file, reused
   file after file): MB/s, pages/s, files/s.
4. End to end in a temporary instance (SQLite): one training material per PDF, each file uploaded through
   the files service, then `extract_pending()` (the worker's loop) and the indexer's catch-up, timed apart;
   finally a search for a sentence of a page checks that the text is found.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared_data import shared_data

from atn_hub import create_app
from atn_hub.cli.database import upgrade
from atn_hub.files.content import PDF
from atn_hub.files.extract import Extractor, extract_here
from tests.files.samples import pdf

DATA = shared_data()
COLLECTIONS = {"cranfield": "en", "xquad-r-de": "de", "xquad-r-en": "en", "xquad-r-es": "es"}
LINES_PER_PAGE, LINE_WIDTH = 40, 90


def passages() -> list[tuple[str, str]]:
    found = []
    for name, language in COLLECTIONS.items():
        with (DATA / name / "corpus.jsonl").open(encoding="utf-8") as lines:
            for line in lines:
                text = json.loads(line).get("text", "").lstrip("\ufeff").strip()
                if text:
                    found.append((language, text))
    return found


def make_pdfs(directory: Path, count: int, pages: int, seed: int = 5) -> list[tuple[Path, str, str]]:
    """(path, language, a sentence from its last page) per PDF."""
    rng = random.Random(seed)
    pool = passages()
    made = []
    for n in range(count):
        language = rng.choice(sorted(set(lang for lang, _ in pool)))
        texts = [text for lang, text in pool if lang == language]
        page_texts = []
        for _ in range(pages):
            words = " ".join(rng.choice(texts) for _ in range(8))
            lines = textwrap.wrap(words, LINE_WIDTH)[:LINES_PER_PAGE]
            page_texts.append("\n".join(lines))
        path = directory / f"material-{n}.pdf"
        path.write_bytes(pdf(page_texts))
        made.append((path, language, page_texts[-1].split("\n")[0]))
    return made


def rate(amount: float, seconds: float) -> float:
    return amount / seconds if seconds > 0 else float("inf")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--time-limit", type=float, default=600)
    args = parser.parse_args()
    deadline = time.monotonic() + args.time_limit

    with tempfile.TemporaryDirectory(prefix="atn-bench-files-") as tmp:
        root = Path(tmp)
        (root / "pdfs").mkdir()
        pdfs = make_pdfs(root / "pdfs", args.files, args.pages)
        megabytes = sum(p.stat().st_size for p, _, _ in pdfs) / 1e6
        total_pages = args.files * args.pages
        print(f"ATN Hub file extraction: {args.files} PDFs x {args.pages} pages, {megabytes:.1f} MB "
              f"({megabytes / args.files * 1000:.0f} kB each)")

        started = time.perf_counter()
        for path, _, _ in pdfs:
            extract_here(path, PDF, max_pages=10_000, max_chars=50_000_000)
        inline = time.perf_counter() - started
        print(f"{'parser alone (pypdf, in process)':44} {rate(megabytes, inline):8.2f} MB/s "
              f"{rate(total_pages, inline):8.1f} pages/s")

        started, done = time.perf_counter(), 0
        with Extractor(timeout=60, memory_mb=1024, max_pages=10_000) as extractor:
            for path, _, _ in pdfs:
                if time.monotonic() > deadline:
                    break
                extractor.extract(path, PDF)
                done += 1
        child = time.perf_counter() - started
        share = done / args.files
        print(f"{'in the limited child process (production)':44} {rate(megabytes * share, child):8.2f} MB/s "
              f"{rate(total_pages * share, child):8.1f} pages/s {rate(done, child):6.2f} files/s")

        end_to_end(root, pdfs, megabytes, total_pages, deadline)
    return 0


def _waiting(session) -> int:
    from sqlalchemy import func, select

    from atn_hub.models import MaterialFile

    count = session.scalar(select(func.count()).select_from(MaterialFile)
                           .where(MaterialFile.text_status.in_(["pending", "extracting"])))
    session.rollback()
    return count


def end_to_end(root: Path, pdfs, megabytes: float, total_pages: int, deadline: float) -> None:
    from atn_hub.extensions import get_db
    from atn_hub.principal import SYSTEM
    from atn_hub.services import files as files_service
    from atn_hub.services import search as search_service
    from atn_hub.services.societies import create_society
    from atn_hub.services.training_materials import training_materials

    url = f"sqlite:///{root / 'atn.db'}"
    upgrade(url)
    app = create_app({"database_url": url, "instance_dir": root / "instance", "indexer": "off",
                      "extractor": "off", "secret_key": "bench", "log_level": "WARNING"})
    node_files, search = app.extensions["atn_files"], app.extensions["atn_search"]
    with app.app_context():
        session = get_db().session
        create_society(session, SYSTEM, {"code": "NL", "name": "Netherlands Red Cross",
                                         "name_local": "Nederlandse Rode Kruis", "languages": ["nl"]})
        started = time.perf_counter()
        for n, (path, language, _) in enumerate(pdfs):
            material = training_materials.create(session, SYSTEM, {
                "society": "NL", "title": f"Course material {n}", "description": "A course in PDF.",
                "format": "brochure", "languages": [language], "external_id": f"bench-{n}"})
            session.commit()  # as through the API: the material exists before its files arrive
            with open(path, "rb") as stream:
                files_service.upload(session, SYSTEM, node_files.store, node_files.settings, material.id, stream,
                                     path.name)
            session.commit()
        uploading = time.perf_counter() - started
        print(f"{'upload (type check, hash, store, row)':44} {rate(megabytes, uploading):8.2f} MB/s "
              f"{rate(len(pdfs), uploading):8.1f} files/s")
        search.indexer.catch_up()  # the materials themselves, before their files' text

        started = time.perf_counter()
        while time.monotonic() < deadline and node_files.extract_pending(limit=10):
            pass
        extracted = len(pdfs) - _waiting(session)
        extracting = time.perf_counter() - started
        share = extracted / len(pdfs)
        print(f"{'extraction by the worker loop':44} {rate(megabytes * share, extracting):8.2f} MB/s "
              f"{rate(total_pages * share, extracting):8.1f} pages/s")

        started = time.perf_counter()
        search.indexer.catch_up()
        indexing = time.perf_counter() - started
        print(f"{'indexing the extracted text (catch-up)':44} {rate(megabytes * share, indexing):8.2f} MB/s "
              f"{rate(total_pages * share, indexing):8.1f} pages/s {rate(extracted, indexing):6.1f} files/s")

        path, language, sentence = pdfs[0]
        found = search_service.search(search.engine, SYSTEM, {"q": f'"{sentence}"', "page": 1, "page_size": 5})
        hit = found.hits[0] if found.hits else None
        print(f"search for a sentence of the last page of {path.name}: {found.total} hit(s)"
              + (f", first: {hit.external_id}, snippet from {hit.snippet_field}" if hit else ""))
    search.stop()


if __name__ == "__main__":
    sys.exit(main())
