"""Read the MLflow model registry and the source runs of its versions.

A tracking server (`http(s)://`) is read through MLflow's REST API directly: keep-alive HTTP
connections (`requests`), answers parsed with `orjson` straight into records. MLflow's client
turns every answer into protobuf messages and then entities (3 to 3.7 s of client CPU for
10,000 versions and their runs, against 0.7 s here), and importing it costs seconds. A local
store (`sqlite:///`), or a server that needs an authentication MLflow's client provides and
this module does not (an auth plugin, AWS SigV4, a workspace header, a credentials file), goes
through `MlflowClient`. Both give the same records. Reading is cheap by design:

- registered models and model versions are paged with `page_token`, `page_size` entries a
  request, in a stable order (models by name, versions by creation time, name and version);
- a version's aliases come from its registered model (MLflow's `search_model_versions` does not
  fill them in), so no request is made per version;
- source runs are looked up only for the ids the caller asks for (those it has not stored
  yet), `run_batch_size` ids a request (`search_runs` with an `attributes.run_id IN (...)`
  filter across every experiment, deleted runs included) on a small thread pool, on
  connections of their own, so a server with several worker processes answers them in
  parallel; when many runs are wanted, `read` pages the experiments' runs instead, while the
  versions are still being paged, for as long as most of what it reads is wanted, in 16 parts
  by the run id's first character on a few threads, so that the server's worker processes
  share the scan (`_RunLookups`).

MLflow's own HTTP client retries 7 times and waits 120 s a request by default; here retries and
timeouts are bounded (`max_retries`, `timeout_seconds`) on both paths, so an unreachable server
fails in seconds with a `SourceUnreachableError` that names the redacted endpoint.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
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


# -- the two ways to the same records ---------------------------------------------------------

Page = tuple[list[Any], str | None]  # the records of one page, and the next page's token


class _Api:
    """What the registry needs from MLflow, one page a call, as this module's records."""

    def registered_models(self, page_size: int, token: str | None) -> Page:
        raise NotImplementedError

    def model_versions(self, page_size: int, order_by: list[str], token: str | None) -> Page:
        raise NotImplementedError

    def experiments(self, page_size: int, token: str | None) -> Page:
        """Experiment ids (deleted experiments included)."""
        raise NotImplementedError

    def runs(
        self, experiment_ids: list[str], filter_string: str, max_results: int, token: str | None
    ) -> Page:
        """Runs (deleted runs included) with their latest metrics and dataset inputs."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class _ClientApi(_Api):
    """Through `MlflowClient` and its entities: any URI MLflow supports (here, `sqlite:///`)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def registered_models(self, page_size: int, token: str | None) -> Page:
        page = self._client.search_registered_models(
            max_results=page_size, order_by=_MODEL_ORDER, page_token=token
        )
        return [_registered_model(m) for m in page], page.token or None

    def model_versions(self, page_size: int, order_by: list[str], token: str | None) -> Page:
        page = self._client.search_model_versions(
            max_results=page_size, order_by=order_by, page_token=token
        )
        return [_model_version(mv) for mv in page], page.token or None

    def experiments(self, page_size: int, token: str | None) -> Page:
        from mlflow.entities import ViewType

        page = self._client.search_experiments(
            view_type=ViewType.ALL, max_results=page_size, page_token=token
        )
        return [str(e.experiment_id) for e in page], page.token or None

    def runs(
        self, experiment_ids: list[str], filter_string: str, max_results: int, token: str | None
    ) -> Page:
        from mlflow.entities import ViewType

        page = self._client.search_runs(
            experiment_ids=experiment_ids,
            filter_string=filter_string,
            run_view_type=ViewType.ALL,
            max_results=max_results,
            page_token=token,
        )
        return [_run(r) for r in page], page.token or None


class _ApiError(OSError):
    """An answer that is not a successful JSON answer (the message never holds the URL)."""


# Settings of MLflow's client this module does not reproduce: with any of them set (or a
# credentials file), a tracking server is read through `MlflowClient`.
_CLIENT_ONLY_SETTINGS = ("MLFLOW_TRACKING_AUTH", "MLFLOW_TRACKING_AWS_SIGV4", "MLFLOW_WORKSPACE")
_RETRIED_STATUSES = (429, 500, 502, 503, 504)


def _rest_api_supported() -> bool:
    """Whether MLflow's client would authenticate with nothing more than `_RestApi` does: a
    user and password (environment or URI), a token, and the TLS settings."""
    if any(os.environ.get(name) for name in _CLIENT_ONLY_SETTINGS):
        return False
    return not (Path.home() / ".mlflow" / "credentials").exists()


class _RestApi(_Api):
    """MLflow's REST API (`/api/2.0/mlflow/...`), answers parsed with orjson into records.
    Authentication and TLS as MLflow's client does them from the environment; retries and
    timeouts bounded by `max_retries` and `timeout_seconds`.

    The version pages, one after the other, reuse a kept-alive connection. The requests made
    alongside them (registered models, run searches) ask the server to close the connection
    after answering, so each opens a new one, which the least busy of the server's worker
    processes tends to accept: kept-alive connections can all land on one worker process and
    leave the others idle (measured on `mlflow server --workers 2`)."""

    def __init__(
        self, base_url: str, *, max_retries: int, timeout_seconds: float, connections: int
    ) -> None:
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        self._base = base_url.rstrip("/") + "/api/2.0/mlflow/"
        self._timeout = timeout_seconds
        retry = Retry(
            total=max_retries,
            connect=max_retries,
            read=max_retries,
            status=max_retries,
            backoff_factor=1,
            status_forcelist=_RETRIED_STATUSES,
            allowed_methods=None,  # every request here is a read, POST searches included
            respect_retry_after_header=False,  # a long Retry-After would unbound the wait
            raise_on_status=False,
        )
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry, pool_connections=1, pool_maxsize=connections)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        username = os.environ.get("MLFLOW_TRACKING_USERNAME")
        password = os.environ.get("MLFLOW_TRACKING_PASSWORD")
        token = os.environ.get("MLFLOW_TRACKING_TOKEN")
        if username and password:
            session.auth = (username, password)
        elif token:
            session.headers["Authorization"] = f"Bearer {token}"
        # else a user and password in the URI, which requests sends as basic authentication
        if os.environ.get("MLFLOW_TRACKING_INSECURE_TLS", "").lower() in ("true", "1"):
            session.verify = False
        elif os.environ.get("MLFLOW_TRACKING_SERVER_CERT_PATH"):
            session.verify = os.environ["MLFLOW_TRACKING_SERVER_CERT_PATH"]
        if os.environ.get("MLFLOW_TRACKING_CLIENT_CERT_PATH"):
            session.cert = os.environ["MLFLOW_TRACKING_CLIENT_CERT_PATH"]
        self._session = session

    def _answer(self, response: Any) -> dict[str, Any]:
        import orjson

        with response:
            if response.status_code != 200:
                raise _ApiError(f"MLflow answered HTTP {response.status_code}")
            try:
                answer = orjson.loads(response.content)
            except orjson.JSONDecodeError:
                raise _ApiError("MLflow's answer is not JSON") from None
        if not isinstance(answer, dict):
            raise _ApiError("MLflow's answer is not a JSON object")
        return answer

    def _get(
        self, endpoint: str, params: dict[str, Any], *, new_connection: bool = False
    ) -> dict[str, Any]:
        headers = {"Connection": "close"} if new_connection else None
        return self._answer(
            self._session.get(
                self._base + endpoint, params=params, headers=headers, timeout=self._timeout
            )
        )

    def _post(
        self, endpoint: str, body: dict[str, Any], *, new_connection: bool = False
    ) -> dict[str, Any]:
        import orjson

        headers = {"Content-Type": "application/json"}
        if new_connection:
            headers["Connection"] = "close"
        return self._answer(
            self._session.post(
                self._base + endpoint,
                data=orjson.dumps(body),
                headers=headers,
                timeout=self._timeout,
            )
        )

    def registered_models(self, page_size: int, token: str | None) -> Page:
        params: dict[str, Any] = {"max_results": page_size, "order_by": _MODEL_ORDER}
        if token:
            params["page_token"] = token
        # On a connection of its own (see `_RestApi`): the models are read while the versions are.
        answer = self._get("registered-models/search", params, new_connection=True)
        models = [_registered_model_json(m) for m in answer.get("registered_models", ())]
        return models, answer.get("next_page_token") or None

    def model_versions(self, page_size: int, order_by: list[str], token: str | None) -> Page:
        params: dict[str, Any] = {"max_results": page_size, "order_by": order_by}
        if token:
            params["page_token"] = token
        answer = self._get("model-versions/search", params)
        versions = [_model_version_json(mv) for mv in answer.get("model_versions", ())]
        return versions, answer.get("next_page_token") or None

    def experiments(self, page_size: int, token: str | None) -> Page:
        body: dict[str, Any] = {"max_results": page_size, "view_type": "ALL"}
        if token:
            body["page_token"] = token
        answer = self._post("experiments/search", body)
        ids = [str(e["experiment_id"]) for e in answer.get("experiments", ())]
        return ids, answer.get("next_page_token") or None

    def runs(
        self, experiment_ids: list[str], filter_string: str, max_results: int, token: str | None
    ) -> Page:
        body: dict[str, Any] = {
            "experiment_ids": experiment_ids,
            "filter": filter_string,
            "run_view_type": "ALL",
            "max_results": max_results,
        }
        if token:
            body["page_token"] = token
        answer = self._post("runs/search", body, new_connection=True)
        return [_run_json(r) for r in answer.get("runs", ())], answer.get("next_page_token") or None

    def close(self) -> None:
        self._session.close()


# -- the registry -----------------------------------------------------------------------------


class MlflowRegistry:
    """A read-only view of one MLflow registry and tracking store."""

    def __init__(
        self,
        tracking_uri: str,
        *,
        page_size: int = 1000,
        run_batch_size: int = 500,
        max_retries: int = 2,
        timeout_seconds: float = 15.0,
        lookup_threads: int = 3,
        rest_api: bool | None = None,
        scan_min_runs: int | None = 2000,
        scan_page_size: int = 2000,
        scan_threads: int = 3,
    ) -> None:
        """`rest_api`: read a tracking server through its REST API (the default for
        `http(s)://` when the environment's authentication allows it, see `_RestApi`), or
        through `MlflowClient` (`False`; always for `sqlite:///`).

        `scan_min_runs`: once `read` wants this many runs, it pages the runs of every
        experiment (`scan_page_size` a page) instead of searching them by id, for as long as
        most of what it reads is wanted (see `_RunLookups`); `None`: always by id.

        `scan_threads`: the scan is split by the first character of the run id (16 searches,
        `attributes.run_id LIKE '0%'` to `'f%'`, MLflow's ids being hexadecimal), paged on this
        many threads at once, so that the server's worker processes share it; 1: one search
        in the server's order."""
        _check_uri(tracking_uri)
        if page_size < 1 or run_batch_size < 1:
            raise SourceConfigurationError("page_size and run_batch_size must be at least 1")
        self._tracking_uri = tracking_uri
        self.page_size = page_size
        self.run_batch_size = run_batch_size
        self.max_retries = max_retries
        self.timeout_seconds = timeout_seconds
        self.lookup_threads = max(1, lookup_threads)
        self._rest_api = rest_api
        self.scan_min_runs = scan_min_runs
        self.scan_page_size = max(1, scan_page_size)
        self.scan_threads = max(1, scan_threads)
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

    @property
    def uses_rest_api(self) -> bool:
        """Whether reads go to the REST API directly rather than through `MlflowClient`."""
        if not self.is_http:
            return False
        if self._rest_api is not None:
            return self._rest_api
        return _rest_api_supported()

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
    def _calls(self) -> Iterator[_Api]:
        """The API, with bounded retries; any failure to read becomes a
        `SourceUnreachableError` (raised without the original, whose message holds the URL)."""
        try:
            if self.uses_rest_api:
                api: _Api = _RestApi(
                    self._tracking_uri,
                    max_retries=self.max_retries,
                    timeout_seconds=self.timeout_seconds,
                    connections=self.lookup_threads + self.scan_threads + 2,
                )
                try:
                    yield api
                finally:
                    api.close()
            else:
                with _bounded_http(self.max_retries, self.timeout_seconds):
                    yield _ClientApi(self._get_client())
        except SourceUnreachableError:
            raise
        except Exception as exc:
            # OSError covers requests' and urllib3's errors and `_ApiError`; MLflow's client
            # raises MlflowException, and sqlalchemy's errors surface unwrapped.
            if isinstance(exc, OSError) or type(exc).__module__.split(".")[0] in (
                "mlflow",
                "sqlalchemy",
                "requests",
                "urllib3",
            ):
                log.debug("MLflow request failed: %s", type(exc).__name__)
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

    @staticmethod
    def _pages(fetch: Any, *args: Any) -> Iterator[list[Any]]:
        """Every page of `fetch(*args, token)`, following `page_token`s."""
        token: str | None = None
        while True:
            records, token = fetch(*args, token)
            yield records
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
        versions: dict[tuple[str, str], ModelVersionRecord] = {}
        version_pages = 0
        with self._calls() as api, self._pool(self.lookup_threads + 1) as pool:
            models_read = pool.submit(self._registered_models, api)
            lookups = _RunLookups(self, api, pool, set(known_run_ids), scan=True)
            try:
                for page in self._pages(api.model_versions, self.page_size, _VERSION_ORDER):
                    version_pages += 1
                    for mv in page:
                        versions[(mv.name, mv.version)] = mv
                        if fetch_runs:
                            lookups.want(mv.run_id)
                models, model_pages = models_read.result()
                lookup = lookups.finish()
            except BaseException:
                lookups.abandon()  # a scan running on stops at its next page
                raise
        aliases_of: dict[tuple[str, str], list[str]] = {}
        for model in models:
            for alias, version in model.aliases.items():
                aliases_of.setdefault((model.name, version), []).append(alias)
        for key, model_aliases in aliases_of.items():
            mv = versions.get(key)
            if mv is not None:
                versions[key] = replace(mv, aliases=sorted({*mv.aliases, *model_aliases}))
        snapshot = RegistrySnapshot(models, list(versions.values()), model_pages + version_pages)
        return snapshot, lookup

    def _registered_models(self, api: _Api) -> tuple[list[RegisteredModelRecord], int]:
        models: dict[str, RegisteredModelRecord] = {}
        pages = 0
        for page in self._pages(api.registered_models, self.page_size):
            pages += 1
            for model in page:
                models[model.name] = model
        return list(models.values()), pages

    def change_cursor(self) -> str:
        """A digest that moves when a registry entry is created, updated or deleted.

        One pass over the registered models (their names, update times, tags and aliases:
        creating or deleting a version also moves its model's update time) and one request for
        the most recently updated version. A tag set on a model version alone does not move
        it; the scheduled ingestion finds those.
        """
        digest = hashlib.sha256()
        with self._calls() as api:
            for page in self._pages(api.registered_models, self.page_size):
                for record in page:
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
            latest, _ = api.model_versions(1, ["last_updated_timestamp DESC"], None)
            for mv in latest:
                digest.update(json.dumps([mv.name, mv.version, mv.last_updated_at_ms]).encode())
        return digest.hexdigest()

    # -- source runs --------------------------------------------------------------------

    def _experiment_ids(self, api: _Api) -> list[str]:
        return [i for page in self._pages(api.experiments, 1000) for i in page]

    def source_runs(self, run_ids: Iterable[str]) -> RunLookup:
        """The runs with these ids, `run_batch_size` ids a request, deleted runs included."""
        with self._calls() as api, self._pool(self.lookup_threads) as pool:
            lookups = _RunLookups(self, api, pool, set())
            for run_id in run_ids:
                lookups.want(run_id)
            return lookups.finish()

    def _scan_runs(self, api: _Api, lookups: _RunLookups) -> None:
        """Page every run of the experiments, part by part (`lookups.scan_parts`), handing
        each page to `lookups`, until it says stop or the runs are all read."""
        parts = lookups.scan_parts
        with ThreadPoolExecutor(
            min(self.scan_threads, len(parts)), thread_name_prefix="mlflow-scan"
        ) as scan_pool:
            for done in [scan_pool.submit(self._scan_part, api, lookups, p) for p in parts]:
                done.result()

    def _scan_part(self, api: _Api, lookups: _RunLookups, filter_string: str) -> None:
        token: str | None = None
        try:
            while True:
                runs, token = api.runs(
                    lookups.experiment_ids(), filter_string, self.scan_page_size, token
                )
                if not lookups.scanned(runs, part_done=not token) or not token:
                    return
        except BaseException:
            lookups.abandon()  # the other parts stop at their next page
            raise

    def _search_runs(
        self, api: _Api, experiment_ids: list[str], batch: Sequence[str]
    ) -> tuple[list[RunRecord], int]:
        quoted = ", ".join("'" + run_id.replace("'", "") + "'" for run_id in batch)
        found: list[RunRecord] = []
        requests = 0
        for page in self._pages(
            api.runs, experiment_ids, f"attributes.run_id IN ({quoted})", len(batch)
        ):
            requests += 1
            found.extend(page)
        return found, requests


# A scan goes on while the runs it has read are at most this many times the runs wanted (plus
# one page): the server spends 0.65 to 0.77 ms on a run paged by experiment against 0.82 to
# 1.05 ms on a run searched by id, so a scan pays only when most of what it reads is wanted.
_SCAN_MAX_READ_PER_WANTED = 1.25


class _RunLookups:
    """Collects wanted run ids and reads those runs, in one of two ways.

    - **By id** (always for `source_runs`, and for `read` while fewer than `scan_min_runs`
      runs are wanted): `run_batch_size` ids a `search_runs` request with an `IN` filter, on
      the thread pool. In `read`, the ids are held until the versions are paged or
      `scan_min_runs` is reached, so the same run is never read both ways.
    - **By experiment scan** (`read`, once `scan_min_runs` ids are wanted: a first ingestion,
      or many new versions): every run of every experiment, `scan_page_size` a page, while
      the versions are still paged; in 16 parts by the run id's first character, on
      `scan_threads` threads (one part, in the server's order, with `scan_threads=1`). The
      scan stops when it has read more than `_SCAN_MAX_READ_PER_WANTED` times the runs wanted
      so far plus a page (an experiment holding many runs no version comes from), or, the
      versions being all paged, when every wanted run is found. A wanted run the scan did not
      find is then searched by id, unless one unsplit scan read every run (then it does not
      exist): a run id that does not start with a lower-case hexadecimal digit is in none of
      the parts. MLflow has no count of an experiment's runs to decide this beforehand; this
      rule bounds what a scan can waste to a quarter of the wanted runs and a page per thread.
    """

    def __init__(
        self,
        registry: MlflowRegistry,
        api: _Api,
        pool: ThreadPoolExecutor,
        known: set[str],
        *,
        scan: bool = False,
    ) -> None:
        self._registry = registry
        self._api = api
        self._pool = pool
        self._seen = known
        self._asked: list[str] = []
        self._pending: list[str] = []
        self._experiment_ids: list[str] | None = None
        self._futures: list[Future[tuple[list[RunRecord], int]]] = []
        # The scan: `_hold` while it may still start; its state is shared with its thread.
        self._hold = scan and registry.scan_min_runs is not None
        self._lock = threading.Lock()
        self._scan_future: Future[None] | None = None
        self._scan_read: dict[str, RunRecord] = {}
        self._scan_requests = 0
        self.scan_parts = (
            [""]
            if registry.scan_threads == 1
            else [f"attributes.run_id LIKE '{digit}%'" for digit in "0123456789abcdef"]
        )
        self._scan_parts_left = len(self.scan_parts)
        self._scan_stopped = False
        self._versions_done = False
        self._abandoned = False

    def want(self, run_id: str | None) -> None:
        if not run_id or run_id in self._seen:
            return
        self._seen.add(run_id)
        with self._lock:
            self._asked.append(run_id)
        if self._scan_future is not None:
            return  # the scan may read it; what it does not is searched by id at the end
        self._pending.append(run_id)
        if self._hold:
            minimum = self._registry.scan_min_runs
            if minimum is not None and len(self._asked) >= minimum:
                self._start_scan()
        elif len(self._pending) >= self._registry.run_batch_size:
            self._submit()

    def experiment_ids(self) -> list[str]:
        if self._experiment_ids is None:
            self._experiment_ids = self._registry._experiment_ids(self._api)
        return self._experiment_ids

    def _start_scan(self) -> None:
        self._hold = False
        self._pending = []
        self.experiment_ids()  # read here, once, before the scan's threads use them
        self._scan_future = self._pool.submit(self._registry._scan_runs, self._api, self)

    def abandon(self) -> None:
        with self._lock:
            self._abandoned = True

    def scanned(self, runs: list[RunRecord], *, part_done: bool) -> bool:
        """Take a page of one part of the scan; whether that part should go on (once the
        scan stops, every part stops at its next page)."""
        with self._lock:
            self._scan_requests += 1
            self._scan_read.update((run.run_id, run) for run in runs)
            if part_done:
                self._scan_parts_left -= 1
            if self._abandoned or self._scan_stopped:
                return False
            if len(self._scan_read) > (
                _SCAN_MAX_READ_PER_WANTED * len(self._asked) + self._registry.scan_page_size
            ) or (self._versions_done and all(r in self._scan_read for r in self._asked)):
                self._scan_stopped = True
                return False
            return not part_done

    def _submit(self) -> None:
        batch, self._pending = self._pending, []
        self._futures.append(
            self._pool.submit(self._registry._search_runs, self._api, self.experiment_ids(), batch)
        )

    def finish(self) -> RunLookup:
        found: dict[str, RunRecord] = {}
        if self._scan_future is not None:
            with self._lock:
                self._versions_done = True
            self._scan_future.result()
            found = {r: self._scan_read[r] for r in self._asked if r in self._scan_read}
            read_every_run = self.scan_parts == [""] and self._scan_parts_left == 0
            if not read_every_run:  # stopped early, or in parts: the rest by id
                self._pending = [r for r in self._asked if r not in found]
        batch_size = self._registry.run_batch_size
        while self._pending:
            batch, self._pending = self._pending[:batch_size], self._pending[batch_size:]
            self._futures.append(
                self._pool.submit(
                    self._registry._search_runs, self._api, self.experiment_ids(), batch
                )
            )
        requests = self._scan_requests + (1 if self._experiment_ids is not None else 0)
        for future in self._futures:
            runs, n = future.result()
            requests += n
            found.update((run.run_id, run) for run in runs)
        missing = [r for r in self._asked if r not in found]
        if missing and self._experiment_ids is not None:
            more, n = self._search_new_experiments(missing)
            requests += n
            found.update((run.run_id, run) for run in more)
            missing = [r for r in missing if r not in found]
        return RunLookup(list(found.values()), missing, requests)

    def _search_new_experiments(self, missing: list[str]) -> tuple[list[RunRecord], int]:
        """Runs not found in the experiments listed at the start may be in an experiment
        created since (a version registered during the read): list the experiments again and
        search those ids in the new ones, before they are recorded as not found for good."""
        listed = set(self._experiment_ids or ())
        new = [e for e in self._registry._experiment_ids(self._api) if e not in listed]
        requests = 1
        found: list[RunRecord] = []
        batch_size = self._registry.run_batch_size
        for start in range(0, len(missing) if new else 0, batch_size):
            runs, n = self._registry._search_runs(
                self._api, new, missing[start : start + batch_size]
            )
            found.extend(runs)
            requests += n
        return found, requests


# -- records from MLflow's entities (the client) ----------------------------------------------


def _registered_model(model: Any) -> RegisteredModelRecord:
    return RegisteredModelRecord(
        name=model.name,
        description=model.description or None,
        tags={str(k): _text(v) or "" for k, v in (model.tags or {}).items()},
        aliases={str(k): str(v) for k, v in (model.aliases or {}).items()},
        created_at_ms=model.creation_timestamp,
        last_updated_at_ms=model.last_updated_timestamp,
    )


def _model_version(mv: Any) -> ModelVersionRecord:
    """A version with its own aliases (the registry adds its model's: see `read`)."""
    return ModelVersionRecord(
        name=mv.name,
        version=str(mv.version),
        tags={str(k): _text(v) or "" for k, v in (mv.tags or {}).items()},
        aliases=sorted(set(mv.aliases or [])),
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


# -- the same records from the REST API's JSON ------------------------------------------------
# Protobuf's JSON leaves out unset fields and empty lists; MLflow writes 64-bit integers as
# numbers (`_ms` below also takes them as strings, as protobuf's own JSON would write them).


def _ms(value: Any) -> int | None:
    return None if value is None else int(value)


def _pairs(items: Any) -> dict[str, str]:
    """`[{"key": k, "value": v}, ...]` as a dict (a later key wins, as in MLflow's entities)."""
    return {str(item["key"]): _text(item.get("value")) or "" for item in items or ()}


def _registered_model_json(model: dict[str, Any]) -> RegisteredModelRecord:
    return RegisteredModelRecord(
        name=model["name"],
        description=model.get("description") or None,
        tags=_pairs(model.get("tags")),
        aliases={str(a["alias"]): str(a["version"]) for a in model.get("aliases") or ()},
        created_at_ms=_ms(model.get("creation_timestamp")),
        last_updated_at_ms=_ms(model.get("last_updated_timestamp")),
    )


def _model_version_json(mv: dict[str, Any]) -> ModelVersionRecord:
    return ModelVersionRecord(
        name=mv["name"],
        version=str(mv["version"]),
        tags=_pairs(mv.get("tags")),
        aliases=sorted(set(mv.get("aliases") or ())),
        status=_text(mv.get("status")),
        current_stage=_text(mv.get("current_stage")),
        description=mv.get("description") or None,
        source=_text(mv.get("source")),
        run_id=mv.get("run_id") or None,
        user_id=mv.get("user_id") or None,
        created_at_ms=_ms(mv.get("creation_timestamp")),
        last_updated_at_ms=_ms(mv.get("last_updated_timestamp")),
    )


def _run_json(run: dict[str, Any]) -> RunRecord:
    info = run.get("info") or {}
    data = run.get("data") or {}
    inputs = []
    for dataset_input in (run.get("inputs") or {}).get("dataset_inputs") or ():
        dataset = dataset_input.get("dataset") or {}
        tags = _pairs(dataset_input.get("tags"))
        inputs.append(
            DatasetInputRecord(
                name=dataset.get("name"),
                digest=dataset.get("digest") or None,
                source_type=dataset.get("source_type") or None,
                source=dataset.get("source") or None,
                context=tags.get(DATASET_CONTEXT_TAG),
            )
        )
    return RunRecord(
        run_id=info.get("run_id") or info["run_uuid"],
        experiment_id=_text(info.get("experiment_id")),
        run_name=info.get("run_name") or None,
        status=_text(info.get("status")),
        lifecycle_stage=_text(info.get("lifecycle_stage")),
        user_id=info.get("user_id") or None,
        start_time_ms=_ms(info.get("start_time")),
        end_time_ms=_ms(info.get("end_time")),
        params=_pairs(data.get("params")),
        # Protobuf's JSON writes NaN and infinities as "NaN", "Infinity", "-Infinity".
        metrics={str(m["key"]): float(m.get("value", 0.0)) for m in data.get("metrics") or ()},
        tags=_pairs(data.get("tags")),
        dataset_inputs=inputs,
    )
