# The two commands of the README: `make demo` and `make test`.
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.synced
MANIFEST := dbt_project/target/manifest.json
export DUA_HOME ?= $(CURDIR)/.dua
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

.PHONY: demo test lint bench lock venv manifest clean chromium deploy-test gx-assets

venv: $(STAMP)

# Rebuilt only when the lock file (or the package metadata) changed.  Bytecode
# is compiled at install: where PYTHONDONTWRITEBYTECODE is set, every process
# would otherwise compile Airflow, GX and dbt from source at each start.
$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install -q "$$(grep '^uv==' requirements.lock)"
	$(BIN)/uv pip sync --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

# The dbt manifest Cosmos renders the transform DAG from (no dbt at DAG parse).
manifest: $(MANIFEST)
$(MANIFEST): $(STAMP) $(shell find dbt_project -path dbt_project/target -prune -o -type f \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' \) -print 2>/dev/null)
	$(BIN)/python -m dua.orchestration.dbt_runner parse

demo: $(STAMP) $(MANIFEST)
	$(BIN)/dua demo

test: $(STAMP) $(MANIFEST) lint chromium
	$(BIN)/python -m pytest -q

# Debian's Chromium, for the tests that look at the report pages as a person would.
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		echo "chromium could not be installed: the browser tests will be skipped"

lint: $(STAMP)
	$(BIN)/ruff check include tools dags tests
	# jinja templater with dbt builtins: linting needs no warehouse connection
	cd dbt_project && ../$(BIN)/sqlfluff lint models --templater jinja --processes 2 --disable-progress-bar

# The deployment started for real (docker-compose.yml, two Celery workers, a worker
# killed mid-run): docs/operations.md, "Testing the deployment".  Needs root or a
# running Docker daemon; run by .ci/run after `make test`.
deploy-test: $(STAMP) $(MANIFEST)
	docker/deploy-test-prereqs.sh
	DUA_DEPLOY_TEST=1 $(BIN)/python -m pytest -q -s -p no:cacheprovider tests/deploy

bench: $(STAMP) $(MANIFEST)
	$(BIN)/python -m dua_bench.run

# Re-download the GX Data Docs' style sheets, scripts and fonts (vendored in
# include/dua/quality/gx_assets/) from the npm registry; not part of `make test`.
gx-assets:
	docker/gx-assets.sh

# Recompile the lock file after editing requirements.in.
lock: $(STAMP)
	$(BIN)/uv pip compile requirements.in --python-version 3.11 --python-platform x86_64-manylinux_2_28 -o requirements.lock

clean:
	rm -rf $(VENV) .dua dbt_project/target .deploy-test
