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
    """A display name: the last path component, printable characters only, at most 200 of them."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    name = name[-200:]
    return name or f"file{EXTENSIONS.get(content_type, '')}"


def sniff(path: Path, filename: str | None, limits: Limits = Limits()) -> str:
    """The content type of the file at ``path``; ``Refused`` for anything else, or anything unsafe."""
    with open(path, "rb") as f:
        head = f.read(8192)
    if not head:
        raise Refused(422, "The file is empty.")
    if b"%PDF-" in head[:1024]:
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


def _check_image(path: Path, limits: Limits) -> None:
    """Read the header only (nothing is decoded): dimensions within bounds, a file Pillow recognises."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked below
            with Image.open(path) as image:
                width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
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
                if "\x00" in text or any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f" for ch in text[:4096]):
                    return False
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True
