"""Text out of a stored file, page by page, in a separate process with time and memory limits, so that no
hostile file (a bomb, a PDF of 100,000 pages, a parser's worst case) can take the service down.

    python -m atn_hub.files.extract PATH CONTENT_TYPE MAX_PAGES MAX_CHARS   -> JSON on stdout
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .content import DOCX, MARKDOWN, ODT, PDF, PPTX, TEXT


class Failed(Exception):
    """Extraction gave up; the message is the reason shown as ``text_error``."""


@dataclass
class Extracted:
    pages: list[str] = field(default_factory=list)  # one entry per page (or slide; one for flowing text)
    language: str | None = None


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").replace("\x00", "").strip()


def _pdf(path: Path, max_pages: int) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # many PDFs are "encrypted" with an empty user password
            except Exception:  # noqa: BLE001 - any failure to decrypt is the same to the user
                opened = 0
            if not opened:
                raise Failed("The PDF is encrypted with a password.")
        declared = reader.root_object["/Pages"].get("/Count", 0)  # cheap: read before walking the page tree
        count = declared if isinstance(declared, int) and declared > max_pages else len(reader.pages)
        if count > max_pages:
            raise Failed(f"The PDF has {count} pages, more than the limit of {max_pages}.")
        return [_clean(page.extract_text() or "") for page in reader.pages]
    except Failed:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise Failed(f"A damaged or truncated PDF ({exc.__class__.__name__}).") from None


def _docx(path: Path) -> list[str]:
    import docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return [_clean("\n".join(parts))]


def _pptx(path: Path, max_pages: int) -> list[str]:
    from pptx import Presentation

    slides = Presentation(str(path)).slides
    if len(slides) > max_pages:
        raise Failed(f"The presentation has {len(slides)} slides, more than the limit of {max_pages}.")
    pages = []
    for slide in slides:
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            texts.append(slide.notes_slide.notes_text_frame.text)
        pages.append(_clean("\n".join(texts)))
    return pages


def _odt(path: Path) -> list[str]:
    import zipfile

    from lxml import etree

    ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
        root = etree.parse(content, parser).getroot()
    blocks = ["".join(el.itertext()) for el in root.iter(f"{{{ns}}}p", f"{{{ns}}}h")]
    return [_clean("\n".join(blocks))]


def _text(path: Path) -> list[str]:
    return [_clean(path.read_text(encoding="utf-8-sig"))]


def extract_here(path: Path, content_type: str, max_pages: int, max_chars: int) -> Extracted:
    """Extraction in this process (the child of ``extract``)."""
    try:
        if content_type == PDF:
            pages = _pdf(path, max_pages)
        elif content_type == DOCX:
            pages = _docx(path)
        elif content_type == PPTX:
            pages = _pptx(path, max_pages)
        elif content_type == ODT:
            pages = _odt(path)
        elif content_type in (TEXT, MARKDOWN):
            pages = _text(path)
        else:
            return Extracted()
    except Failed:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser's failure on a hostile file is the file's problem
        raise Failed(f"The file could not be read ({exc.__class__.__name__}).") from None
    total, kept = 0, []
    for page in pages:
        kept.append(page[: max(0, max_chars - total)])
        total += len(kept[-1])
    return Extracted(kept, detect_language("\n".join(kept)))


def detect_language(text: str) -> str | None:
    sample = " ".join(text.split())[:20_000]
    if len(sample) < 40:
        return None
    import py3langid

    code, _ = py3langid.classify(sample)
    return code


def _limit(memory_bytes: int, cpu_seconds: int):
    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def extract(path: Path, content_type: str, *, timeout: float = 60, memory_mb: int = 1024, max_pages: int = 2000,
            max_chars: int = 5_000_000) -> Extracted:
    """Run the extraction in a child process limited in wall time, CPU time and memory."""
    command = [sys.executable, "-m", "atn_hub.files.extract", str(path), content_type, str(max_pages),
               str(max_chars)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False,
                              preexec_fn=_limit(memory_mb * 1024 * 1024, int(timeout) + 1),
                              env={**os.environ, "PYTHONWARNINGS": "ignore"})
    except subprocess.TimeoutExpired:
        raise Failed(f"Extraction took longer than {timeout:g} s.") from None
    if done.returncode != 0:
        if done.returncode < 0 or b"MemoryError" in done.stderr:
            raise Failed(f"Extraction exceeded its limits ({memory_mb} MB of memory, {timeout:g} s).")
        raise Failed("Extraction failed: " + (done.stderr.decode(errors="replace").strip().splitlines() or
                                             ["no output"])[-1][:300])
    result = json.loads(done.stdout)
    if "error" in result:
        raise Failed(result["error"])
    return Extracted(result["pages"], result.get("language"))


def main(argv: list[str]) -> int:
    path, content_type, max_pages, max_chars = Path(argv[0]), argv[1], int(argv[2]), int(argv[3])
    try:
        found = extract_here(path, content_type, max_pages, max_chars)
        out = {"pages": found.pages, "language": found.language}
    except Failed as exc:
        out = {"error": str(exc)}
    except MemoryError:
        out = {"error": "Extraction exceeded its memory limit."}
    sys.stdout.write(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
