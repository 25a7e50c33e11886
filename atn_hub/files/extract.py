"""Text out of a stored file, page by page, in a separate process with time and memory limits, so that no
hostile file (a bomb, a PDF of 100,000 pages, a parser's worst case) can take the service down.

    python -m atn_hub.files.extract --serve     (the child: JSON requests on stdin, JSON answers on stdout)
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
            except Exception:
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
    except Exception as exc:
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


def _limit(memory_bytes: int):
    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


class Extractor:
    """A child process that extracts file after file (its start-up, about a second, is paid once), limited in
    memory for its whole life and in wall time per file: a file that runs past its time, or a child that dies
    (out of memory), costs that child its life and the file a ``Failed``; the next file gets a new child.
    Children are also renewed every ``renew_after`` files. One thread uses an extractor at a time."""

    def __init__(self, *, timeout: float = 60, memory_mb: int = 1024, max_pages: int = 2000,
                 max_chars: int = 5_000_000, renew_after: int = 200):
        self.timeout, self.memory_mb = timeout, memory_mb
        self.max_pages, self.max_chars, self.renew_after = max_pages, max_chars, renew_after
        self._child: subprocess.Popen | None = None
        self._served = 0

    def _start(self) -> subprocess.Popen:
        self._child = subprocess.Popen(
            [sys.executable, "-m", "atn_hub.files.extract", "--serve"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, preexec_fn=_limit(self.memory_mb * 1024 * 1024),
            env={**os.environ, "PYTHONWARNINGS": "ignore"})
        self._served = 0
        return self._child

    def close(self) -> None:
        child, self._child = self._child, None
        if child is not None:
            child.kill()
            child.wait()
            for stream in (child.stdin, child.stdout):
                stream.close()

    def extract(self, path: Path, content_type: str) -> Extracted:
        import select

        child = self._child if self._child is not None and self._child.poll() is None else self._start()
        request = {"path": str(path), "content_type": content_type, "max_pages": self.max_pages,
                   "max_chars": self.max_chars}
        try:
            child.stdin.write((json.dumps(request) + "\n").encode())
            child.stdin.flush()
            ready, _, _ = select.select([child.stdout], [], [], self.timeout)
            line = child.stdout.readline() if ready else None
        except (BrokenPipeError, OSError):
            line = b""
        if line is None:
            self.close()
            raise Failed(f"Extraction took longer than {self.timeout:g} s.")
        if not line.endswith(b"\n"):
            self.close()
            raise Failed(f"Extraction exceeded its limits ({self.memory_mb} MB of memory, {self.timeout:g} s).")
        self._served += 1
        if self._served >= self.renew_after:
            self.close()
        result = json.loads(line)
        if "error" in result:
            raise Failed(result["error"])
        return Extracted(result["pages"], result.get("language"))

    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def extract(path: Path, content_type: str, *, timeout: float = 60, memory_mb: int = 1024, max_pages: int = 2000,
            max_chars: int = 5_000_000) -> Extracted:
    """One file in a child process of its own (see ``Extractor`` for many)."""
    with Extractor(timeout=timeout, memory_mb=memory_mb, max_pages=max_pages, max_chars=max_chars) as extractor:
        return extractor.extract(path, content_type)


def serve() -> int:
    """The child: one JSON request per line on stdin, one JSON answer per line on stdout."""
    for line in sys.stdin:
        request = json.loads(line)
        try:
            found = extract_here(Path(request["path"]), request["content_type"], request["max_pages"],
                                 request["max_chars"])
            out = {"pages": found.pages, "language": found.language}
        except Failed as exc:
            out = {"error": str(exc)}
        except MemoryError:
            out = {"error": "Extraction exceeded its memory limit."}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(serve())
