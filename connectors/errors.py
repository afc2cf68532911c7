"""Errors raised by the connectors. Messages name the endpoint and what to check, never a secret."""

from __future__ import annotations


class SourceUnreachableError(RuntimeError):
    """A source (MLflow, S3, a directory) could not be reached after bounded retries."""

    def __init__(self, source: str, endpoint: str, hint: str, cause: BaseException | None = None):
        self.source = source
        self.endpoint = endpoint
        self.hint = hint
        detail = f": {type(cause).__name__}" if cause is not None else ""
        super().__init__(f"{source} could not be reached at {endpoint}{detail}. {hint}")


class SourceConfigurationError(ValueError):
    """A source is configured with a value that cannot work (bad URI scheme, missing bucket)."""
