"""Read the MLflow model registry and the source runs of its versions.

Everything goes through the MLflow client, against a tracking server (`http(s)://`) or a local
store (`sqlite:///`). Reading is cheap by design:

- registered models and model versions are paged with `page_token`, `page_size` entries a
  request, in a stable order (models by name, versions by creation time, name and version);
- a version's aliases come from its registered model (MLflow's `search_model_versions` does not
  fill them in), so no request is made per version;
- source runs are looked up `run_batch_size` ids a request (`search_runs` with an
  `attributes.run_id IN (...)` filter across every experiment, deleted runs included), and only
  for the ids the caller asks for (those it has not stored yet); the lookups run on a small
  thread pool while the versions are still being paged.

MLflow's own HTTP client retries 7 times and waits 120 s a request by default; here retries and
timeouts are bounded (`max_retries`, `timeout_seconds`), so an unreachable server fails in
seconds with a `SourceUnreachableError` that names the redacted endpoint.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Collection, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.errors import SourceConfigurationError, SourceUnreachableError
from connectors.redaction import redact_uri, scrub

log = logging.getLogger(__name__)

DATASET_CONTEXT_TAG = "mlflow.data.context"
_SUPPORTED_SCHEMES = ("http://", "https://", "sqlite:///")
_MODEL_ORDER = ["name ASC"]
_VERSION_ORDER = ["creation_timestamp ASC", "name ASC", "version_number ASC"]


@dataclass(frozen=True)
class RegisteredModelRecord:
    name: str
    description: str | None
    tags: dict[str, str]
    aliases: dict[str, str]  # alias -> version
    created_at_ms: int | None
    last_updated_at_ms: int | None


@dataclass(frozen=True)
class ModelVersionRecord:
    name: str
    version: str
    tags: dict[str, str]
    aliases: list[str]
    status: str | None
    current_stage: str | None
    description: str | None
    source: str | None
    run_id: str | None
    user_id: str | None
    created_at_ms: int | None
    last_updated_at_ms: int | None


@dataclass(frozen=True)
class DatasetInputRecord:
    name: str | None
    digest: str | None
    source_type: str | None
    source: str | None
    context: str | None


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    experiment_id: str | None
    run_name: str | None
    status: str | None
    lifecycle_stage: str | None
    user_id: str | None
    start_time_ms: int | None
    end_time_ms: int | None
    params: dict[str, str]
    metrics: dict[str, float]
    tags: dict[str, str]
    dataset_inputs: list[DatasetInputRecord] = field(default_factory=list)


@dataclass(frozen=True)
class RegistrySnapshot:
    """Every registered model and model version, as read in one pass."""

    registered_models: list[RegisteredModelRecord]
    model_versions: list[ModelVersionRecord]
    requests: int


@dataclass(frozen=True)
class RunLookup:
    """The runs found for the ids asked for, and the ids the tracking server does not know."""

    runs: list[RunRecord]
    missing_run_ids: list[str]
    requests: int


def _check_uri(tracking_uri: str) -> None:
    if not tracking_uri.startswith(_SUPPORTED_SCHEMES):
        raise SourceConfigurationError(
            f"MLFLOW_TRACKING_URI={redact_uri(tracking_uri)!r}: expected an http(s):// tracking "
            "server or a sqlite:/// store"
        )


@contextmanager
def _bounded_http(max_retries: int, timeout_seconds: float) -> Iterator[None]:
    """Bound the MLflow HTTP client's retries and timeout while the block runs.

    MLflow reads these variables on every request and offers no per-client setting, so they
    are set for the duration of the block and restored afterwards.
    """
    wanted = {
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": str(max_retries),
        "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
        "MLFLOW_HTTP_REQUEST_TIMEOUT": str(max(1, round(timeout_seconds))),
    }
    previous = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class MlflowRegistry:
    """A read-only view of one MLflow registry and tracking store."""

    def __init__(
        self,
        tracking_uri: str,
        *,
        page_size: int = 1000,
        run_batch_size: int = 100,
        max_retries: int = 2,
        timeout_seconds: float = 15.0,
        lookup_threads: int = 2,
    ) -> None:
        _check_uri(tracking_uri)
        if page_size < 1 or run_batch_size < 1:
            raise SourceConfigurationError("page_size and run_batch_size must be at least 1")
        self._tracking_uri = tracking_uri
        self.page_size = page_size
        self.run_batch_size = run_batch_size
        self.max_retries = max_retries
        self.timeout_seconds = timeout_seconds
        self.lookup_threads = max(1, lookup_threads)
        self._client: Any = None

    @property
    def display_uri(self) -> str:
        """The tracking URI without its password: what may be shown or stored."""
        if self.is_http:
            return redact_uri(self._tracking_uri) or ""
        return scrub(self._tracking_uri) or ""  # a file URI: keep its slashes as they are

    @property
    def is_http(self) -> bool:
        return self._tracking_uri.startswith(("http://", "https://"))

    def model_page_url(self, name: str) -> str | None:
        """The MLflow UI page of a registered model (redacted), for a tracking server."""
        if not self.is_http:
            return None
        from urllib.parse import quote

        base = self.display_uri.rstrip("/")
        return f"{base}/#/models/{quote(name, safe='')}"

    # -- plumbing -----------------------------------------------------------------------

    def _unreachable(self, exc: BaseException | None = None) -> SourceUnreachableError:
        if self.is_http:
            hint = (
                "Check MLFLOW_TRACKING_URI, that the tracking server is running and reachable, "
                "and its credentials (MLFLOW_TRACKING_USERNAME/PASSWORD or TOKEN)."
            )
        else:
            hint = (
                "Check MLFLOW_TRACKING_URI and that the sqlite store file exists and is readable."
            )
        return SourceUnreachableError("MLflow", self.display_uri, hint, exc)

    def _get_client(self) -> Any:
        if self._client is None:
            if self._tracking_uri.startswith("sqlite:///"):
                path = Path(self._tracking_uri[len("sqlite:///") :])
                if not path.is_file():
                    # MLflow would create an empty store; an absent file is a wrong setting.
                    raise self._unreachable()
            from mlflow import MlflowClient

            self._client = MlflowClient(
                tracking_uri=self._tracking_uri, registry_uri=self._tracking_uri
            )
        return self._client

    @contextmanager
    def _calls(self) -> Iterator[Any]:
        """The client, with bounded retries; any failure becomes a `SourceUnreachableError`."""
        from mlflow.exceptions import MlflowException

        with _bounded_http(self.max_retries, self.timeout_seconds):
            try:
                yield self._get_client()
            except SourceUnreachableError:
                raise
            except (MlflowException, OSError) as exc:
                log.debug("MLflow request failed: %s", type(exc).__name__)
                raise self._unreachable(exc) from None
            except Exception as exc:  # sqlalchemy and requests errors surface unwrapped
                if type(exc).__module__.split(".")[0] in ("sqlalchemy", "requests", "urllib3"):
                    raise self._unreachable(exc) from None
                raise

    @contextmanager
    def _pool(self, workers: int) -> Iterator[ThreadPoolExecutor]:
        """A thread pool whose queued requests are dropped when anything fails, so a server
        that goes away mid-read fails the read after one request's retries, not after all."""
        with ThreadPoolExecutor(workers, thread_name_prefix="mlflow") as pool:
            try:
                yield pool
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise

    def _pages(self, search: Any, **kwargs: Any) -> Iterator[list[Any]]:
        token: str | None = None
        while True:
            page = search(page_token=token, **kwargs)
            yield list(page)
            token = page.token
            if not token:
                return

    # -- the registry -------------------------------------------------------------------

    def snapshot(self) -> RegistrySnapshot:
        """Every registered model and model version, each version with its aliases."""
        snapshot, _ = self.read(fetch_runs=False)
        return snapshot

    def read(
        self, known_run_ids: Collection[str] = (), *, fetch_runs: bool = True
    ) -> tuple[RegistrySnapshot, RunLookup]:
        """The registry, and the source runs of its versions that are not in `known_run_ids`.

        The registered models are paged on a worker thread while the versions are paged here,
        and run lookups start while the versions are still being paged: each full batch of new
        run ids goes to the pool (`lookup_threads` workers for runs), so the tracking server
        answers run searches while this side parses version pages.
        """
        raw_versions: dict[tuple[str, str], Any] = {}
        version_pages = 0
        with (
            self._calls() as client,
            self._pool(self.lookup_threads + 1) as pool,
        ):
            models_read = pool.submit(self._registered_models, client)
            lookups = _RunLookups(self, client, pool, set(known_run_ids))
            for page in self._pages(
                client.search_model_versions, max_results=self.page_size, order_by=_VERSION_ORDER
            ):
                version_pages += 1
                for mv in page:
                    raw_versions[(mv.name, str(mv.version))] = mv
                    if fetch_runs:
                        lookups.want(mv.run_id)
            models, model_pages = models_read.result()
            lookup = lookups.finish()
        aliases_of: dict[tuple[str, str], list[str]] = {}
        for model in models:
            for alias, version in model.aliases.items():
                aliases_of.setdefault((model.name, version), []).append(alias)
        versions = [_model_version(mv, aliases_of.get(key, [])) for key, mv in raw_versions.items()]
        return RegistrySnapshot(models, versions, model_pages + version_pages), lookup

    def _registered_models(self, client: Any) -> tuple[list[RegisteredModelRecord], int]:
        models: dict[str, RegisteredModelRecord] = {}
        pages = 0
        for page in self._pages(
            client.search_registered_models, max_results=self.page_size, order_by=_MODEL_ORDER
        ):
            pages += 1
            for model in page:
                models[model.name] = _registered_model(model)
        return list(models.values()), pages

    def change_cursor(self) -> str:
        """A digest that moves when a registry entry is created, updated or deleted.

        One pass over the registered models (their names, update times, tags and aliases:
        creating or deleting a version also moves its model's update time) and one request for
        the most recently updated version. A tag set on a model version alone does not move
        it; the scheduled ingestion finds those.
        """
        digest = hashlib.sha256()
        with self._calls() as client:
            for page in self._pages(
                client.search_registered_models, max_results=self.page_size, order_by=_MODEL_ORDER
            ):
                for model in page:
                    record = _registered_model(model)
                    digest.update(
                        json.dumps(
                            [
                                record.name,
                                record.last_updated_at_ms,
                                record.description,
                                sorted(record.tags.items()),
                                sorted(record.aliases.items()),
                            ]
                        ).encode()
                    )
            latest = client.search_model_versions(
                max_results=1, order_by=["last_updated_timestamp DESC"]
            )
            for mv in latest:
                digest.update(
                    json.dumps([mv.name, str(mv.version), mv.last_updated_timestamp]).encode()
                )
        return digest.hexdigest()

    # -- source runs --------------------------------------------------------------------

    def _experiment_ids(self, client: Any) -> list[str]:
        from mlflow.entities import ViewType

        ids: list[str] = []
        for page in self._pages(
            client.search_experiments, view_type=ViewType.ALL, max_results=1000
        ):
            ids.extend(str(e.experiment_id) for e in page)
        return ids

    def source_runs(self, run_ids: Iterable[str]) -> RunLookup:
        """The runs with these ids, `run_batch_size` ids a request, deleted runs included."""
        with (
            self._calls() as client,
            self._pool(self.lookup_threads) as pool,
        ):
            lookups = _RunLookups(self, client, pool, set())
            for run_id in run_ids:
                lookups.want(run_id)
            return lookups.finish()

    def _search_runs(
        self, client: Any, experiment_ids: list[str], batch: Sequence[str]
    ) -> tuple[list[RunRecord], int]:
        from mlflow.entities import ViewType

        quoted = ", ".join("'" + run_id.replace("'", "") + "'" for run_id in batch)
        found: list[RunRecord] = []
        requests = 0
        for page in self._pages(
            client.search_runs,
            experiment_ids=experiment_ids,
            filter_string=f"attributes.run_id IN ({quoted})",
            run_view_type=ViewType.ALL,
            max_results=len(batch),
        ):
            requests += 1
            found.extend(_run(run) for run in page)
        return found, requests


class _RunLookups:
    """Collects wanted run ids and searches them a batch at a time on a thread pool."""

    def __init__(
        self, registry: MlflowRegistry, client: Any, pool: ThreadPoolExecutor, known: set[str]
    ) -> None:
        self._registry = registry
        self._client = client
        self._pool = pool
        self._seen = known
        self._asked: list[str] = []
        self._pending: list[str] = []
        self._experiment_ids: list[str] | None = None
        self._futures: list[Future[tuple[list[RunRecord], int]]] = []

    def want(self, run_id: str | None) -> None:
        if not run_id or run_id in self._seen:
            return
        self._seen.add(run_id)
        self._asked.append(run_id)
        self._pending.append(run_id)
        if len(self._pending) >= self._registry.run_batch_size:
            self._submit()

    def _submit(self) -> None:
        if self._experiment_ids is None:
            self._experiment_ids = self._registry._experiment_ids(self._client)
        batch, self._pending = self._pending, []
        self._futures.append(
            self._pool.submit(
                self._registry._search_runs, self._client, self._experiment_ids, batch
            )
        )

    def finish(self) -> RunLookup:
        if self._pending:
            self._submit()
        found: dict[str, RunRecord] = {}
        requests = 1 if self._experiment_ids is not None else 0
        for future in self._futures:
            runs, n = future.result()
            requests += n
            found.update((run.run_id, run) for run in runs)
        missing = [r for r in self._asked if r not in found]
        return RunLookup(list(found.values()), missing, requests)


def _registered_model(model: Any) -> RegisteredModelRecord:
    return RegisteredModelRecord(
        name=model.name,
        description=model.description or None,
        tags={str(k): _text(v) or "" for k, v in (model.tags or {}).items()},
        aliases={str(k): str(v) for k, v in (model.aliases or {}).items()},
        created_at_ms=model.creation_timestamp,
        last_updated_at_ms=model.last_updated_timestamp,
    )


def _model_version(mv: Any, model_aliases: list[str]) -> ModelVersionRecord:
    aliases = sorted({*(mv.aliases or []), *model_aliases})
    return ModelVersionRecord(
        name=mv.name,
        version=str(mv.version),
        tags={str(k): _text(v) or "" for k, v in (mv.tags or {}).items()},
        aliases=aliases,
        status=_text(mv.status),
        current_stage=_text(mv.current_stage),
        description=mv.description or None,
        source=_text(mv.source),
        run_id=mv.run_id or None,
        user_id=mv.user_id or None,
        created_at_ms=mv.creation_timestamp,
        last_updated_at_ms=mv.last_updated_timestamp,
    )


def _run(run: Any) -> RunRecord:
    info, data = run.info, run.data
    inputs = []
    for dataset_input in getattr(run.inputs, "dataset_inputs", None) or []:
        dataset = dataset_input.dataset
        tags = {t.key: t.value for t in dataset_input.tags or []}
        inputs.append(
            DatasetInputRecord(
                name=dataset.name,
                digest=dataset.digest or None,
                source_type=dataset.source_type or None,
                source=dataset.source or None,
                context=tags.get(DATASET_CONTEXT_TAG),
            )
        )
    return RunRecord(
        run_id=info.run_id,
        experiment_id=_text(info.experiment_id),
        run_name=info.run_name or None,
        status=_text(info.status),
        lifecycle_stage=_text(info.lifecycle_stage),
        user_id=info.user_id or None,
        start_time_ms=info.start_time,
        end_time_ms=info.end_time,
        params={str(k): _text(v) or "" for k, v in (data.params or {}).items()},
        metrics={str(k): float(v) for k, v in (data.metrics or {}).items()},
        tags={str(k): _text(v) or "" for k, v in (data.tags or {}).items()},
        dataset_inputs=inputs,
    )
