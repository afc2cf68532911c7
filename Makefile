# The README's commands. Each target creates .venv/ from the lock file when it is missing or stale.
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export MLFLOW_DISABLE_TELEMETRY := true
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := true

.PHONY: install demo run test lint ui bench clean

# Bytecode is compiled at install time: an environment that sets PYTHONDONTWRITEBYTECODE (as
# many containers do) would otherwise compile Dagster, pandas and SQLAlchemy from source in
# every process, ≈ 2 to 4 s of each `evidence-pipeline run` (docs/benchmarks.md).
$(VENV)/.synced: pyproject.toml uv.lock Makefile
	test -x $(PY) || python3 -m venv $(VENV)
	test -x $(UV) || $(PY) -m pip install --quiet uv==0.13.9
	$(UV) sync --locked --all-groups --inexact --compile-bytecode
	$(PY) -m compileall -q evidence_pipeline connectors bench > /dev/null
	touch $@

install: $(VENV)/.synced

demo: $(VENV)/.synced
	$(VENV)/bin/evidence-pipeline demo

run: $(VENV)/.synced
	$(VENV)/bin/evidence-pipeline run

test: $(VENV)/.synced
	bash scripts/ensure-chromium.sh
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

ui: $(VENV)/.synced
	DAGSTER_HOME=$(abspath dagster_home) $(VENV)/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

bench: $(VENV)/.synced
	$(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .demo .pytest_cache
