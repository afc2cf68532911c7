"""Keep secrets out of everything the pipeline writes: warehouse rows, metadata, logs, errors.

Two layers: URIs lose their user-info password and credential-like query parameters
(`redact_uri`), and any string can be scrubbed of the secret values found in the
environment (`scrub`), such as AWS keys and MLflow tokens and passwords.
"""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SECRET_ENV_VARS = (
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SESSION_TOKEN",
    "MLFLOW_TRACKING_TOKEN",
    "MLFLOW_TRACKING_PASSWORD",
    "DATABRICKS_TOKEN",
)
_SECRET_QUERY_KEYS = re.compile(
    r"(token|secret|password|passwd|pwd|signature|credential|key|auth)", re.IGNORECASE
)
_URI_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^/@:\s]*):[^/@\s]*@")
# The same in text that is parsed afterwards (JSON lines): never across a quote or a backslash,
# so a mask cannot swallow the rest of a JSON string; found from the literal `://`.
_URI_USERINFO_BYTES = re.compile(rb'://(?P<user>[^/@:\s"\\]*):[^/@\s"\\]*@')
MASK = "***"
# A value shorter than this is not masked: real credentials (AWS secret keys and key ids, MLflow
# and Databricks tokens) are longer, while the short values local set-ups use (`test`,
# `testing`, `minioadmin`) are ordinary words that also occur in evidence, which masking them
# would corrupt (an environment `testing` stored as `***`).
MIN_SECRET_LENGTH = 16


def redact_uri(uri: str | None) -> str | None:
    """Return `uri` without a password in its user info or credential-like query values."""
    if not uri:
        return uri
    try:
        parts = urlsplit(uri)
    except ValueError:
        return scrub(uri)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{user}@{host}"
    query = parts.query
    if query:
        pairs = [
            (k, MASK if _SECRET_QUERY_KEYS.search(k) else v)
            for k, v in parse_qsl(query, keep_blank_values=True)
        ]
        query = urlencode(pairs, safe="*")
    if (netloc, query) == (parts.netloc, parts.query):
        return scrub(uri)  # nothing to mask: keep the URI as written (urlunsplit drops the
        # empty authority of `sqlite:////abs/path`)
    return scrub(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


def secret_values() -> list[str]:
    """The secret values currently in the environment, longest first (so overlaps mask whole);
    values shorter than `MIN_SECRET_LENGTH` are left out."""
    values = {os.environ.get(name, "") for name in SECRET_ENV_VARS}
    return sorted((v for v in values if len(v) >= MIN_SECRET_LENGTH), key=len, reverse=True)


def scrub(text: str | None) -> str | None:
    """Replace every known secret value, and any password in an embedded URI, with a mask."""
    if not text:
        return text
    for value in secret_values():
        text = text.replace(value, MASK)
    return _URI_USERINFO.sub(lambda m: f"{m.group('scheme')}{m.group('user')}:{MASK}@", text)


def scrub_bytes(data: bytes) -> bytes:
    """`scrub` for UTF-8 text held as bytes (pieces of logs); `data` itself when nothing is
    masked. Line breaks are left where they are, so line numbers stay right."""
    for value in secret_values():
        encoded = value.encode()
        if encoded in data:
            data = data.replace(encoded, MASK.encode())
    if b"://" in data and b"@" in data:
        mask = b":" + MASK.encode() + b"@"
        data = _URI_USERINFO_BYTES.sub(lambda m: b"://" + m.group("user") + mask, data)
    return data
