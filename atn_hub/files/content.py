"""What a file is, decided by its content (never by its name), and whether it is safe to keep."""
from __future__ import annotations

import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import filetype

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
TEXT = "text/plain"
MARKDOWN = "text/markdown"
IMAGES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
WITH_TEXT = {PDF, DOCX, PPTX, ODT, TEXT, MARKDOWN}
ACCEPTED = sorted(WITH_TEXT | IMAGES)
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", PPTX: ".pptx", ODT: ".odt", TEXT: ".txt", MARKDOWN: ".md",
              "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}
# The extensions a served name may end with, per type (the first is the one added when the name has none of
# them): the name a download is saved under decides which program opens it, so it must say what it holds.
NAME_EXTENSIONS = {**{content_type: (extension,) for content_type, extension in EXTENSIONS.items()},
                   MARKDOWN: (".md", ".markdown"), "image/jpeg": (".jpg", ".jpeg")}
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{0,9}[A-Za-z][A-Za-z0-9]{0,9}$")  # ".hta", ".js", ".pdf"; not ".2026"


class Refused(Exception):
    """The file is not accepted: ``status`` is the HTTP status to answer, ``reason`` says why."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass(frozen=True)
class Limits:
    max_unpacked_bytes: int = 200 * 1024 * 1024  # an office file's parts, uncompressed
    max_ratio: int = 100  # uncompressed / compressed, for parts above 1 MB
    max_zip_entries: int = 5000
    max_image_pixels: int = 80_000_000


def safe_filename(name: str | None, content_type: str) -> str:
    """The name a file is listed and served under: the last path component, printable characters only, at
    most 200 of them, ending with the extension of its type as detected (``brochure.pdf.hta`` holding a PDF
    is ``brochure.pdf``; ``setup.js`` holding text is ``setup.txt``)."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    allowed = NAME_EXTENSIONS.get(content_type, ())
    if allowed and not name.lower().endswith(allowed):
        stem = _EXTENSION.sub("", name).rstrip(" .")  # the extension that would choose the program goes
        name = stem if stem.lower().endswith(allowed) else f"{stem or 'file'}{allowed[0]}"
    if len(name) > 200:
        suffix = next((e for e in allowed if name.lower().endswith(e)), "")
        name = name[: 200 - len(suffix)].rstrip(" .") + name[len(name) - len(suffix):]
    return name or f"file{EXTENSIONS.get(content_type, '')}"


def sniff(path: Path, filename: str | None, limits: Limits = Limits()) -> str:
    """The content type of the file at ``path``; ``Refused`` for anything else, or anything unsafe."""
    with open(path, "rb") as f:
        head = f.read(8192)
    if not head:
        raise Refused(422, "The file is empty.")
    if b"%PDF-" in head[:1024]:
        _check_pdf(path)
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _office(path, limits)
    kind = filetype.guess(head)
    if kind is not None and kind.mime in IMAGES:
        _check_image(path, limits)
        return kind.mime
    if _is_utf8_text(path):
        return MARKDOWN if (filename or "").lower().endswith((".md", ".markdown")) else TEXT
    raise Refused(415, f"Not an accepted type: {', '.join(ACCEPTED)} (decided by the content, not the name).")


def _office(path: Path, limits: Limits) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > limits.max_zip_entries:
                raise Refused(422, f"An archive of {len(entries)} parts: more than {limits.max_zip_entries}.")
            unpacked = sum(e.file_size for e in entries)
            if unpacked > limits.max_unpacked_bytes:
                raise Refused(422, f"Unpacks to {unpacked} bytes, more than {limits.max_unpacked_bytes}: "
                                   f"refused as a possible decompression bomb.")
            for e in entries:
                if e.file_size > 1 << 20 and e.file_size > limits.max_ratio * max(e.compress_size, 1):
                    raise Refused(422, f"Part {e.filename!r} is compressed {e.file_size // max(e.compress_size, 1)}"
                                       f" to 1: refused as a possible decompression bomb.")
            names = {e.filename for e in entries}
            if "mimetype" in names and archive.read("mimetype")[:100].strip() == ODT.encode():
                return ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
            if "[Content_Types].xml" in names and "ppt/presentation.xml" in names:
                return PPTX
    except zipfile.BadZipFile:
        raise Refused(422, "A damaged or truncated archive (not a readable DOCX, PPTX or ODT).") from None
    raise Refused(415, "An archive that is not a DOCX, PPTX or ODT document.")


def _check_pdf(path: Path) -> None:
    """A file that says ``%PDF-`` in its first kilobyte is a PDF only if it starts so and pypdf opens it
    (trailer, catalogue, page tree; nothing is decoded): HTML with ``%PDF-`` in a comment near its top, or
    any other polyglot or truncated "PDF", is refused. An encrypted PDF is kept (its text is not read)."""
    from pypdf import PdfReader

    with open(path, "rb") as f:
        if f.read(5) != b"%PDF-":
            raise Refused(415, "Not a PDF: it has other content before its %PDF- header (a file of another "
                               "type made to look like a PDF).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about what it repairs; failing is what counts
            reader = PdfReader(path, strict=False)
            if reader.is_encrypted:
                return
            reader.trailer["/Root"].get_object()["/Pages"].get_object()
    except Exception as exc:  # pypdf raises many kinds on hostile input; each means it does not open
        raise Refused(415, f"Not a PDF that opens: it starts like one but does not parse as one "
                           f"({exc.__class__.__name__}).") from None


def _check_image(path: Path, limits: Limits) -> None:
    """Read the header only (nothing is decoded): dimensions within bounds, a file Pillow recognises."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked below
            with Image.open(path) as image:
                width, height = image.size
                if width * height <= limits.max_image_pixels:
                    image.verify()  # the chunks' structure and checksums, still without decoding pixels
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise Refused(422, f"A damaged image: {exc.__class__.__name__}.") from None
    if width * height > limits.max_image_pixels:
        raise Refused(422, f"An image of {width}x{height} pixels: refused as a possible decompression bomb.")


def _is_utf8_text(path: Path) -> bool:
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                text = decoder.decode(chunk)
                if "\x00" in text or any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f"
                                          for ch in text[:4096]):
                    return False
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True
