"""Listing a local directory or an S3 prefix: what ingestion sees of the files it is pointed at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from connectors.errors import SourceUnreachableError
from connectors.locations import LocalLocation, S3Location


def _write(path: Path, text: str = "{}") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_files_are_listed_recursively_in_a_stable_order_with_keys_relative_to_the_root(
    tmp_path: Path,
) -> None:
    root = tmp_path / "results"
    for name in ("b/2.json", "a/z/9.json", "a/1.json", "top.json", "a/skip.txt", "c.json"):
        _write(root / name)
    outside = tmp_path / "elsewhere"
    _write(outside / "linked.json")
    os.symlink(outside, root / "link-to-dir")  # a link to a directory is not followed

    listed = list(LocalLocation(root).list_objects((".json",)))

    assert [o.key for o in listed] == ["c.json", "top.json", "a/1.json", "a/z/9.json", "b/2.json"]
    assert all(o.uri == str(root / o.key) for o in listed)
    first = listed[0]
    assert first.size == 2 and first.etag is None
    assert abs(first.modified_at.timestamp() - (root / "c.json").stat().st_mtime) < 1e-5
    assert first.version_token.startswith("size:2;mtime:")


def test_a_root_given_with_a_trailing_slash_gives_the_same_keys(tmp_path: Path) -> None:
    _write(tmp_path / "r" / "x" / "1.json")
    (listed,) = LocalLocation(Path(str(tmp_path / "r") + "/")).list_objects((".json",))
    assert listed.key == "x/1.json"


def test_an_s3_object_deleted_since_the_listing_is_not_found_not_unreachable(
    s3_client, s3_bucket: str
) -> None:
    """A deleted object is that object's problem (FileNotFoundError), not the whole store's."""
    s3_client.put_object(Bucket=s3_bucket, Key="logs/a.jsonl", Body=b"{}\n")
    location = S3Location(bucket=s3_bucket, prefix="logs/", client=s3_client)
    (listed,) = list(location.list_objects((".jsonl",)))
    s3_client.delete_object(Bucket=s3_bucket, Key="logs/a.jsonl")
    with pytest.raises(FileNotFoundError) as caught:
        location.read_bytes(listed)
    assert not isinstance(caught.value, SourceUnreachableError)
    assert caught.value.filename == listed.uri
