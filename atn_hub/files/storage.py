"""Where file contents live: one small interface, a local directory by default, an S3-compatible bucket where
configured. Contents are addressed by their SHA-256, so the same file uploaded twice is stored once, and a
name from a client never reaches a path."""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class TooLarge(Exception):
    pass


@dataclass
class Spooled:
    """An upload copied to a private temporary file, hashed on the way."""

    path: Path
    sha256: str
    size: int

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def spool(stream: BinaryIO, directory: Path, max_bytes: int) -> Spooled:
    """Copy ``stream`` to a temporary file in ``directory``, hashing it; ``TooLarge`` past ``max_bytes``."""
    directory.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, name = tempfile.mkstemp(dir=directory, prefix="upload-", suffix=".part")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(max_bytes)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Spooled(path, digest.hexdigest(), size)


class BlobStore(ABC):
    """Contents by SHA-256: ``put`` is atomic and idempotent (a reader never sees half a file)."""

    @abstractmethod
    def put(self, spooled: Spooled) -> None: ...

    @abstractmethod
    def exists(self, sha256: str) -> bool: ...

    @abstractmethod
    def local_path(self, sha256: str) -> Path:
        """A path to read the content from (a local copy for remote stores); delete with ``release``."""

    def release(self, path: Path) -> None:  # noqa: B027 - a hook: only stores that copy (S3) release anything
        """Done with a path from ``local_path``."""

    @abstractmethod
    def delete(self, sha256: str) -> None: ...

    @abstractmethod
    def keys(self) -> Iterator[tuple[str, datetime]]:
        """Every stored content's hash and when it was written."""


class LocalStore(BlobStore):
    """A directory: ``ab/cd/abcd…`` per content; written to a temporary file, fsynced, then renamed."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.tmp = self.root / "tmp"

    def _path(self, sha256: str) -> Path:
        if not SHA256.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, spooled: Spooled) -> None:
        target = self._path(spooled.sha256)
        if target.exists():
            return  # deduplicated: the same bytes are stored already
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(spooled.path, "rb") as f:
            os.fsync(f.fileno())
        os.replace(spooled.path, target)  # spooled in self.tmp: the same file system, so the rename is atomic
        _fsync_dir(target.parent)

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()

    def local_path(self, sha256: str) -> Path:
        path = self._path(sha256)
        if not path.exists():
            raise FileNotFoundError(sha256)
        return path

    def delete(self, sha256: str) -> None:
        self._path(sha256).unlink(missing_ok=True)

    def keys(self) -> Iterator[tuple[str, datetime]]:
        for path in self.root.glob("??/??/*"):
            if SHA256.match(path.name):
                yield path.name, datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class S3Store(BlobStore):
    """An S3-compatible bucket (AWS, MinIO, Ceph, ...): one object per content under ``prefix``. S3 writes
    are atomic per object; reads for extraction and downloads go through a local temporary copy."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, region: str | None = None,
                 tmp: Path | None = None, client=None):
        import boto3

        self.bucket, self.prefix = bucket, prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url, region_name=region)
        self.tmp = Path(tmp or tempfile.gettempdir())

    def _key(self, sha256: str) -> str:
        if not SHA256.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return f"{self.prefix}{sha256}"

    def put(self, spooled: Spooled) -> None:
        if self.exists(spooled.sha256):
            return
        import base64

        with open(spooled.path, "rb") as body:
            self.client.put_object(Bucket=self.bucket, Key=self._key(spooled.sha256), Body=body,
                                   ChecksumSHA256=base64.b64encode(bytes.fromhex(spooled.sha256)).decode())

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def local_path(self, sha256: str) -> Path:
        self.tmp.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix="s3-", suffix=".blob")
        os.close(fd)
        try:
            self.client.download_file(self.bucket, self._key(sha256), name)
        except Exception:
            Path(name).unlink(missing_ok=True)
            raise FileNotFoundError(sha256) from None
        return Path(name)

    def release(self, path: Path) -> None:
        path.unlink(missing_ok=True)

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(sha256))

    def keys(self) -> Iterator[tuple[str, datetime]]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix):]
                if SHA256.match(name):
                    yield name, item["LastModified"]
