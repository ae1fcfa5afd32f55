"""The deployment files: docker-compose.yml, Dockerfile, docker/, .env.example.

No Docker engine runs here, so nothing is started: the compose file is parsed
with PyYAML and validated against the Compose specification's JSON schema
(vendored as tests/data/compose-spec.json, from compose-spec/compose-spec
schema/compose-spec.json at commit 00655e2222608fa6eaecdf12ac5195889ca2244a),
then checked for what the deployment needs: the service layout of Airflow's
official CeleryExecutor compose file, healthchecks that use tools present in
their images, secrets only from the environment, Airflow commands the
installed Airflow knows, files that exist, and an entrypoint that behaves like
the official image's.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

import jsonschema
import pytest
import yaml

from dua.orchestration.airflow_runner import QUIET_ENV
from dua.orchestration.dbt_runner import dbt_env

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
OVERRIDE_FILE = ROOT / "docker" / "compose.external-warehouse.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
NGINX_CONF = ROOT / "docker" / "nginx.conf"
LOCK = ROOT / "requirements.lock"
ENV_EXAMPLE = ROOT / ".env.example"
OPERATIONS = ROOT / "docs" / "operations.md"
SCHEMA = Path(__file__).resolve().parent / "data" / "compose-spec.json"

AIRFLOW_SERVICES = {
    "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-worker", "airflow-triggerer",
    "airflow-init",
}
SERVICES = AIRFLOW_SERVICES | {"postgres", "redis", "warehouse", "reports"}
ONE_SHOT = {"airflow-init"}
# the values that must never be written in the compose file
SECRET_VARS = (
    "DUA_PSEUDONYM_KEY", "DUA_WAREHOUSE_PASSWORD", "AIRFLOW_DB_PASSWORD", "AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET",
    "AIRFLOW_ADMIN_PASSWORD",
)
SECRET_KEY_NAME = re.compile(r"(PASSWORD|SECRET|FERNET_KEY|PSEUDONYM_KEY)$")
REQUIRED_REF = re.compile(r"\$\{([A-Z_][A-Z0-9_]*):\?[^}]+\}")
# an optional secret (the SMTP relay's password): read from .env, empty by default
OPTIONAL_REF = re.compile(r"\$\{([A-Z_][A-Z0-9_]*):-\}")
# what a .env made from .env.example holds once the secrets are filled in
TEST_ENV = {name: f"<{name.lower()}>" for name in SECRET_VARS}
CELERY_PROVIDER = "apache-airflow-providers-celery"


# --------------------------------------------------------------------------
# helpers


class MissingVariable(Exception):
    pass


_INTERPOLATION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's variable interpolation (the forms this project uses)."""

    def sub(m: re.Match) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(4)
        op, arg = m.group(2), m.group(3)
        value = env.get(name)
        if op == ":-":
            return value if value else arg
        if op == "-":
            return value if value is not None else arg
        if op == ":?":
            if not value:
                raise MissingVariable(f"{name}: {arg}")
            return value
        if op == "?":
            if value is None:
                raise MissingVariable(f"{name}: {arg}")
            return value
        return value or ""

    return _INTERPOLATION.sub(sub, text)


def resolve(node, env: dict[str, str]):
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [resolve(v, env) for v in node]
    if isinstance(node, dict):
        return {k: resolve(v, env) for k, v in node.items()}
    return node


class ComposeLoader(yaml.SafeLoader):
    """PyYAML's safe loader plus Compose's merge tags (!reset, !override)."""


def _tagged(loader: ComposeLoader, node: yaml.Node):
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


ComposeLoader.add_constructor("!reset", _tagged)
ComposeLoader.add_constructor("!override", _tagged)


def load_yaml(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=ComposeLoader)  # a SafeLoader subclass


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_yaml(COMPOSE_FILE)


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def resolved(compose) -> dict:
    return resolve(compose, TEST_ENV)["services"]


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    out: list[tuple[str, str]] = []
    current = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if current and line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        instr, _, args = current.partition(" ")
        out.append((instr.upper(), args.strip()))
        current = ""
    return out


def dockerignore_patterns() -> list[str]:
    lines = [ln.strip() for ln in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()]
    return [ln for ln in lines if ln and not ln.startswith("#")]


def dockerignored(path: str) -> bool:
    """Whether the build context leaves ``path`` out: a pattern matches the path or
    one of its parent folders, ``**/`` any depth, the last matching line wins."""
    parts = PurePosixPath(path.rstrip("/")).parts
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in dockerignore_patterns():
        negate = pattern.startswith("!")
        pat = pattern.lstrip("!").strip("/")
        globs = [pat[3:], "*/" + pat[3:]] if pat.startswith("**/") else [pat]
        if any(fnmatch.fnmatchcase(cand, g) for cand in candidates for g in globs):
            ignored = not negate
    return ignored


def lock_names() -> set[str]:
    names = set()
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", line)
        if m:
            names.add(m.group(1).lower().replace("_", "-"))
    return names


def healthcheck_programs(test) -> list[str]:
    """The programs a healthcheck runs (first word of each command of a shell line)."""
    if isinstance(test, str):
        test = ["CMD-SHELL", test]
    kind, rest = test[0], test[1:]
    if kind == "CMD":
        return [rest[0]]
    assert kind == "CMD-SHELL", f"healthcheck test must start with CMD or CMD-SHELL: {test}"
    programs = []
    for part in re.split(r"\|\||&&|;|\|", " ".join(rest)):
        words = shlex.split(part)
        if words:
            programs.append(words[0])
    return programs


# --------------------------------------------------------------------------
# the compose file


def test_compose_file_is_valid_against_the_compose_specification(compose):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"].rstrip("#").endswith("draft-07/schema")
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_external_warehouse_override_is_valid_and_only_drops_the_warehouse(services):
    override = load_yaml(OVERRIDE_FILE)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(override))
    assert not errors, [e.message for e in errors]
    assert set(override["services"]) == {"warehouse", "airflow-init"}
    assert override["services"]["warehouse"]["profiles"], "the override must keep the local warehouse from starting"
    # the same dependencies as the base file, less the warehouse
    base = {k: v for k, v in services["airflow-init"]["depends_on"].items() if k != "warehouse"}
    assert override["services"]["airflow-init"]["depends_on"] == base
    assert "!override" in OVERRIDE_FILE.read_text(encoding="utf-8")


def test_the_service_layout_of_the_official_celery_compose_file(compose, services):
    assert SERVICES <= set(services), f"missing: {sorted(SERVICES - set(services))}"
    assert "x-airflow-common" in compose
    for name in AIRFLOW_SERVICES:
        assert services[name]["build"] == compose["x-airflow-common"]["build"], name
        assert services[name]["image"] == compose["x-airflow-common"]["image"], name
    assert services["airflow-worker"]["command"] == "celery worker"
    assert services["airflow-apiserver"]["command"] == "api-server"
    assert services["airflow-scheduler"]["command"] == "scheduler"
    assert services["airflow-dag-processor"]["command"] == "dag-processor"
    assert services["airflow-triggerer"]["command"] == "triggerer"


def test_every_service_has_a_healthcheck(services):
    for name, svc in services.items():
        if name in ONE_SHOT:
            continue
        hc = svc.get("healthcheck")
        assert hc and hc.get("test") and not hc.get("disable"), f"{name} has no healthcheck"


def test_dependencies_wait_for_health_or_completion(services):
    for name, svc in services.items():
        deps = svc.get("depends_on")
        if deps is None:
            continue
        assert isinstance(deps, dict), f"{name}: depends_on must name a condition for each service"
        for dep, spec in deps.items():
            assert dep in services, f"{name} depends on unknown service {dep}"
            cond = spec["condition"]
            assert cond in {"service_healthy", "service_completed_successfully"}, f"{name} -> {dep}: {cond}"
            if cond == "service_healthy":
                assert services[dep].get("healthcheck"), f"{name} waits for {dep} to be healthy; it has no healthcheck"
            else:
                assert dep in ONE_SHOT, f"{name} waits for {dep} to complete; it is not a one-shot service"
    for name in AIRFLOW_SERVICES - ONE_SHOT:
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
    for name in ONE_SHOT:
        assert "restart" not in services[name], f"{name} runs once: no restart policy"


def test_workers_scale(services):
    """docker compose up --scale airflow-worker=N: no fixed name, no host port."""
    for name, svc in services.items():
        assert "container_name" not in svc, f"{name}: container_name prevents scaling"
    worker = services["airflow-worker"]
    assert not worker.get("ports")
    assert "scale" not in worker and "deploy" not in worker


def test_published_ports_are_bound_to_localhost_by_default(resolved):
    assert resolved["airflow-apiserver"]["ports"] == ["127.0.0.1:8080:8080"]
    assert resolved["reports"]["ports"] == ["127.0.0.1:8081:80"]
    assert resolved["warehouse"]["ports"] == ["127.0.0.1:5432:5432"]
    for name, svc in resolved.items():
        for port in svc.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} on every interface by default"


def test_the_image_is_built_from_the_project_dockerfile(compose):
    common = compose["x-airflow-common"]
    build = common["build"]
    context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
    dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
    assert context.is_dir()
    assert (context / dockerfile).is_file()
    assert context.resolve() == ROOT
    # no packages installed at container start (comments may name the variable)
    for name, svc in compose["services"].items():
        assert "_PIP_ADDITIONAL_REQUIREMENTS" not in env_of(svc), name
    assert "_PIP_ADDITIONAL_REQUIREMENTS" not in env_of(common)
    assert not any("_PIP_ADDITIONAL_REQUIREMENTS" in args for _, args in dockerfile_instructions())
    code = [ln for ln in ENTRYPOINT.read_text(encoding="utf-8").splitlines() if not ln.lstrip().startswith("#")]
    assert not any("_PIP_ADDITIONAL_REQUIREMENTS" in ln for ln in code)


# --------------------------------------------------------------------------
# secrets


def test_secrets_are_required_variables_never_values():
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    for name in SECRET_VARS:
        refs = re.findall(r"\$\{" + name + r"(\W[^}]*)?\}", text)
        assert refs, f"{name} is not used"
        for suffix in refs:
            assert suffix.startswith(":?") and len(suffix) > 2, (
                f"${{{name}{suffix}}}: a secret must be ${{{name}:?message}} (required, no default)")


def test_no_secret_is_written_in_the_compose_file(services):
    for name, svc in services.items():
        for key, value in env_of(svc).items():
            if SECRET_KEY_NAME.search(key):
                assert REQUIRED_REF.fullmatch(value) or OPTIONAL_REF.fullmatch(value), (
                    f"{name}: {key} must be ${{VAR:?...}} or ${{VAR:-}} (from .env), got {value!r}")
            m = re.match(r"^[a-z0-9+]+://([^@/]*)@", value)
            if m and ":" in m.group(1):
                password = m.group(1).split(":", 1)[1]
                assert password == "" or REQUIRED_REF.fullmatch(password), (
                    f"{name}: {key} has a password written in the URL")


def test_compose_refuses_to_start_without_the_secrets(compose):
    for name in SECRET_VARS:
        env = {k: v for k, v in TEST_ENV.items() if k != name}
        with pytest.raises(MissingVariable, match=name):
            resolve(compose, env)
        with pytest.raises(MissingVariable, match=name):
            resolve(compose, {**env, name: ""})  # as copied from .env.example
    resolve(compose, TEST_ENV)


def test_env_example_lists_every_setting_with_empty_secrets(compose):
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    assigned = dict(
        line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#") and "=" in line
    )
    for name in SECRET_VARS:
        assert name in assigned, f".env.example does not list {name}"
        assert assigned[name] == "", f".env.example must not hold a value for the secret {name}"
    used = set()
    for value in _strings(compose):
        used |= set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", value.replace("$$", "")))
    assert used - set(assigned) == set(), f"not in .env.example: {sorted(used - set(assigned))}"
    # the lines the embedded-warehouse command line already documented stay
    for line in ("DUA_HOME=./.dua", "DUA_WAREHOUSE_URL=", "DUA_MAX_REJECT_SHARE=0.05", "DUA_COLUMN_ALIASES="):
        assert line in text.splitlines()


def test_secret_files_if_any_live_in_a_documented_folder(compose):
    docs = OPERATIONS.read_text(encoding="utf-8")
    for name, secret in (compose.get("secrets") or {}).items():
        if "file" in secret:
            folder = str(PurePosixPath(secret["file"]).parent)
            assert folder.lstrip("./") in docs, f"secret {name}: folder {folder} is not documented"


# --------------------------------------------------------------------------
# the environment of the pipeline


def test_airflow_services_share_the_pipeline_environment(resolved):
    for name in AIRFLOW_SERVICES:
        env = env_of(resolved[name])
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
        assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == TEST_ENV["AIRFLOW_JWT_SECRET"]
        assert env["AIRFLOW__CORE__FERNET_KEY"] == TEST_ENV["AIRFLOW_FERNET_KEY"]
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"].lower() == "false"
        assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/dua/app/dags"
        assert env["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "true"
        assert env["DUA_HOME"] == "/opt/dua/home"
        assert env["DUA_PSEUDONYM_KEY"] == TEST_ENV["DUA_PSEUDONYM_KEY"]
        assert env["DUA_DBT_PROJECT_DIR"] == "/opt/dua/app/dbt_project"
        pw = TEST_ENV["DUA_WAREHOUSE_PASSWORD"]
        assert env["DUA_WAREHOUSE_URL"] == f"postgresql://dua:{pw}@warehouse:5432/dua"
        # profiles.yml reads DUA_DBT_*: the same server as DUA_WAREHOUSE_URL
        for key, value in dbt_env(env["DUA_WAREHOUSE_URL"]).items():
            if key.startswith("DUA_DBT_"):
                assert env[key] == value, f"{name}: {key}"
        for key, value in QUIET_ENV.items():
            assert env.get(key, "").lower() == value.lower(), f"{name}: telemetry setting {key}"
        pg = TEST_ENV["AIRFLOW_DB_PASSWORD"]
        # psycopg 3 for both engines: with psycopg2 Airflow derives an asyncpg URL (not in the lock)
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"postgresql+psycopg://airflow:{pg}@postgres/airflow"
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"] == (
            f"postgresql+psycopg_async://airflow:{pg}@postgres/airflow")
        assert env["AIRFLOW__CELERY__RESULT_BACKEND"] == f"db+postgresql+psycopg://airflow:{pg}@postgres/airflow"
        assert env["AIRFLOW__CELERY__WORKER_CONCURRENCY"] == "2"
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://") and "@redis:6379" in env[
            "AIRFLOW__CELERY__BROKER_URL"]


def test_warehouse_service_matches_the_pipeline_url(resolved):
    wh = env_of(resolved["warehouse"])
    url = env_of(resolved["airflow-worker"])["DUA_WAREHOUSE_URL"]
    assert url == f"postgresql://{wh['POSTGRES_USER']}:{wh['POSTGRES_PASSWORD']}@warehouse:5432/{wh['POSTGRES_DB']}"
    image = resolved["warehouse"]["image"]
    major = int(re.match(r"postgres:(\d+)", image).group(1))
    assert major in (16, 17, 18)
    # PostgreSQL 18+ images keep the data in /var/lib/postgresql/<major>/docker
    target = "/var/lib/postgresql" if major >= 18 else "/var/lib/postgresql/data"
    assert target in _mounts(resolved["warehouse"])
    meta = env_of(resolved["postgres"])
    assert meta["POSTGRES_PASSWORD"] == TEST_ENV["AIRFLOW_DB_PASSWORD"]


def test_external_warehouse_is_a_matter_of_variables(compose):
    env = {**TEST_ENV, "DUA_WAREHOUSE_HOST": "db.example.internal", "DUA_WAREHOUSE_PORT": "6432",
           "DUA_WAREHOUSE_USER": "dua_app", "DUA_WAREHOUSE_DB": "dua_prod"}
    worker = env_of(resolve(compose, env)["services"]["airflow-worker"])
    url = worker["DUA_WAREHOUSE_URL"]
    assert url == f"postgresql://dua_app:{TEST_ENV['DUA_WAREHOUSE_PASSWORD']}@db.example.internal:6432/dua_prod"
    for key, value in dbt_env(url).items():
        if key.startswith("DUA_DBT_"):
            assert worker[key] == value, key


# --------------------------------------------------------------------------
# volumes and referenced files


def _split_volume(spec: str) -> list[str]:
    """``source:target[:mode]`` split on the colons outside ``${...}``."""
    parts, current, depth = [], "", 0
    for ch in spec:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == ":" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [*parts, current]


def _mounts(svc: dict) -> dict[str, str]:
    """target -> source[:mode] of the short-syntax volumes."""
    out = {}
    for v in svc.get("volumes", []):
        parts = _split_volume(str(v))
        out[parts[1]] = ":".join([parts[0], *parts[2:]])
    return out


def test_volumes_inbox_reports_logs(compose, services):
    declared = set(compose.get("volumes") or {})
    for name, svc in services.items():
        for source_mode in _mounts(svc).values():
            source = _split_volume(source_mode)[0]
            if not source.startswith(("/", ".", "$", "~")):
                assert source in declared, f"{name}: volume {source} is not declared"
    for name in AIRFLOW_SERVICES:
        mounts = _mounts(services[name])
        assert mounts["/opt/dua/inbox"] == "${DUA_INBOX_DIR:-./inbox}:ro", name
        assert mounts["/opt/dua/home/reports"] == "dua-reports", name
        assert mounts["/opt/airflow/logs"] == "airflow-logs", name
    reports = _mounts(services["reports"])
    root = re.search(r"^\s*root\s+([^;]+);", NGINX_CONF.read_text(encoding="utf-8"), re.M).group(1)
    assert reports[root] == "dua-reports:ro", "nginx must serve the reports volume, read-only"
    assert services["reports"]["image"].startswith("nginx:") and "alpine" in services["reports"]["image"]
    # the simple auth manager's password file: written by airflow-init, read by the API server
    pw_file = env_of(services["airflow-init"])["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]
    for name in ("airflow-init", "airflow-apiserver"):
        assert _mounts(services[name])[str(PurePosixPath(pw_file).parent)] == "airflow-auth", name


def test_the_ingest_dag_reads_the_mounted_inbox():
    text = (ROOT / "dags" / "dua_ingest.py").read_text(encoding="utf-8")
    assert re.search(r'"inbox":\s*Param\(\s*"/opt/dua/inbox"', text)


def test_files_referenced_by_the_compose_file_exist(services):
    for name, svc in services.items():
        for target, source_mode in _mounts(svc).items():
            source = _split_volume(source_mode)[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name}: {source} (mounted at {target}) does not exist"
    assert OVERRIDE_FILE.is_file()
    # the inbox is the operator's folder (created by Docker when missing): documented
    assert "DUA_INBOX_DIR" in OPERATIONS.read_text(encoding="utf-8")


def test_reports_nginx_config_serves_the_healthcheck_port(services):
    conf = NGINX_CONF.read_text(encoding="utf-8")
    listen = re.search(r"^\s*listen\s+(\d+)", conf, re.M).group(1)
    assert all(str(p).rsplit(":", 1)[1] == listen for p in services["reports"]["ports"])
    assert "location = /healthz" in conf
    test = services["reports"]["healthcheck"]["test"]
    assert f"http://127.0.0.1:{listen}/healthz".replace(":80/", "/") in " ".join(test)


def test_airflow_init_migrates_sets_the_admin_and_prepares_the_warehouse(services):
    init = services["airflow-init"]
    script = init["command"][-1]
    assert init["command"][:2] == ["bash", "-c"]
    assert "airflow db migrate" in script
    assert "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE" in script
    assert "apply_schema" in script
    assert init["depends_on"]["warehouse"]["condition"] == "service_healthy"
    assert REQUIRED_REF.fullmatch(env_of(init)["AIRFLOW_ADMIN_PASSWORD"]).group(1) == "AIRFLOW_ADMIN_PASSWORD"
    # only airflow-init sees the admin's password
    for name, svc in services.items():
        if name != "airflow-init":
            assert "AIRFLOW_ADMIN_PASSWORD" not in env_of(svc), name


# --------------------------------------------------------------------------
# the Dockerfile


def test_dockerfile_installs_the_lock_and_builds_the_manifest():
    instr = dockerfile_instructions()
    froms = [a for i, a in instr if i == "FROM"]
    assert froms and froms[0].startswith("python:3.11-slim")
    runs = " \n".join(a for i, a in instr if i == "RUN")
    assert re.search(r"uv pip sync\b[^\n]*requirements\.lock", runs), "the image installs from requirements.lock"
    assert "grep '^uv==' requirements.lock" in runs, "uv comes in the lock's version"
    assert "requirements.in" not in runs
    assert "python -m dua.orchestration.dbt_runner parse" in runs
    assert "--no-deps -e ." in runs, "editable install: dua.settings finds dags/ and dbt_project/ beside include/"
    assert "--uid 50000" in runs
    assert ("USER", "airflow") in instr
    envs = " ".join(a for i, a in instr if i == "ENV")
    assert "AIRFLOW_HOME=/opt/airflow" in envs
    entry = json.loads(next(a for i, a in instr if i == "ENTRYPOINT"))
    assert entry[-1] == "/entrypoint"
    assert ("COPY", "docker/entrypoint.sh /entrypoint") in instr


def test_dockerfile_copies_files_that_exist_and_are_in_the_build_context():
    copies = [a.split() for i, a in dockerfile_instructions() if i in ("COPY", "ADD")]
    assert copies
    sources = [src for args in copies for src in args[:-1] if not src.startswith("--")]
    for needed in ("requirements.lock", "pyproject.toml", "include/", "dags/", "dbt_project/"):
        assert needed in sources, f"the image needs {needed}"
    for src in sources:
        assert (ROOT / src).exists(), f"COPY {src}: not in the repository"
        assert not dockerignored(src), f"COPY {src}: excluded by .dockerignore"
    # what the image must not carry or must build itself
    for path in (".env", "secrets/x.txt", ".venv/bin/python", "dbt_project/target/manifest.json", ".git/HEAD",
                 "include/dua/__pycache__/x.pyc"):
        assert dockerignored(path), f"{path} should be excluded by .dockerignore"
    for path in ("include/dua/settings.py", "dbt_project/profiles.yml", "dags/dua_ingest.py"):
        assert not dockerignored(path), path


def test_healthchecks_use_tools_present_in_their_images(services):
    runs = " ".join(a for i, a in dockerfile_instructions() if i == "RUN")
    # the celery CLI comes with the celery provider (checked by test_celery_provider_is_in_the_lock)
    built = {"airflow", "python", "bash", "sh", "celery"}
    if re.search(r"apt-get install[^&]*\bcurl\b", runs):
        built.add("curl")
    tools_by_image = {"postgres:": {"pg_isready", "psql"}, "redis:": {"redis-cli"}, "nginx:": {"wget"}}
    for name, svc in services.items():
        if "healthcheck" not in svc:
            continue
        if "build" in svc:
            tools = built
        else:
            tools = next(t for prefix, t in tools_by_image.items() if svc["image"].startswith(prefix))
        for program in healthcheck_programs(svc["healthcheck"]["test"]):
            assert program in tools, (
                f"{name}: healthcheck runs {program}, not in its image ({svc.get('image')}); has {sorted(tools)}")


# --------------------------------------------------------------------------
# Airflow commands


def test_celery_provider_is_in_the_lock():
    """The CeleryExecutor, `airflow celery worker` and the worker's healthcheck
    (`celery ... inspect ping`) come from apache-airflow-providers-celery."""
    assert CELERY_PROVIDER in lock_names(), (
        f"{CELERY_PROVIDER} is not in requirements.lock: add it to requirements.in and run `make lock`")


def test_airflow_commands_are_real_airflow_3_commands(services, tmp_path):
    commands = set()
    for name in AIRFLOW_SERVICES - ONE_SHOT:
        command = services[name]["command"]
        commands.add(command if isinstance(command, str) else " ".join(command))
    job_types = set()
    for name in AIRFLOW_SERVICES:
        test = services[name].get("healthcheck", {}).get("test", [])
        line = " ".join(test[1:]) if isinstance(test, list) else test
        for m in re.finditer(r"airflow (jobs check) --job-type (\w+)", line):
            commands.add(m.group(1))
            job_types.add(m.group(2))
    if "airflow db migrate" in services["airflow-init"]["command"][-1]:
        commands.add("db migrate")
    assert {"api-server", "scheduler", "dag-processor", "triggerer", "celery worker", "db migrate"} <= commands
    # `celery worker` needs the celery provider (test_celery_provider_is_in_the_lock)
    to_run = sorted(c for c in commands if not c.startswith("celery"))
    airflow = Path(sys.executable).parent / "airflow"
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}

    def help_of(cmd: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(airflow), *cmd.split(), "--help"], capture_output=True, text=True, env=env,
                              timeout=120)

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        results = dict(zip(to_run, pool.map(help_of, to_run), strict=True))
    for cmd, proc in results.items():
        assert proc.returncode == 0, f"airflow {cmd} --help failed:\n{proc.stdout[-1000:]}\n{proc.stderr[-2000:]}"
    for job_type in job_types:
        assert job_type in results["jobs check"].stdout, f"airflow jobs check has no job type {job_type}"


# --------------------------------------------------------------------------
# the entrypoint


@pytest.fixture
def fake_bin(tmp_path) -> Path:
    """A PATH with a fake `airflow` that prints its arguments and python."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "airflow"
    fake.write_text(
        "#!/usr/bin/env bash\n"
        'if [[ "$1 $2" == "db check" ]]; then exit "${FAKE_DB_CHECK_RC:-0}"; fi\n'
        'echo "airflow-args: $*"\n'
    )
    fake.chmod(0o755)
    (bin_dir / "python").symlink_to(sys.executable)
    return bin_dir


def run_entrypoint(fake_bin: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {"PATH": f"{fake_bin}:/usr/bin:/bin", "HOME": str(fake_bin.parent), "CONNECTION_CHECK_MAX_COUNT": "0",
                **env}
    return subprocess.run(["bash", str(ENTRYPOINT), *args], capture_output=True, text=True, env=full_env, timeout=60)


def test_entrypoint_syntax_and_mode():
    assert subprocess.run(["bash", "-n", str(ENTRYPOINT)]).returncode == 0
    assert os.access(ENTRYPOINT, os.X_OK)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["scheduler"], "airflow-args: scheduler"),
        (["airflow", "scheduler"], "airflow-args: scheduler"),
        (["celery", "worker"], "airflow-args: celery worker"),
        (["api-server"], "airflow-args: api-server"),
        (["bash", "-c", "echo from-bash $((1 + 1))"], "from-bash 2"),
        (["python", "-c", "print('from-python')"], "from-python"),
    ],
)
def test_entrypoint_runs_airflow_bash_and_python_like_the_official_image(fake_bin, args, expected):
    proc = run_entrypoint(fake_bin, *args)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == expected


def test_entrypoint_waits_for_the_database_and_gives_up(fake_bin):
    proc = run_entrypoint(fake_bin, "scheduler", CONNECTION_CHECK_MAX_COUNT="2", CONNECTION_CHECK_SLEEP_TIME="0",
                          FAKE_DB_CHECK_RC="1")
    assert proc.returncode == 1
    assert "Maximum number of retries (2) reached" in proc.stdout
    assert "airflow-args" not in proc.stdout


def test_entrypoint_waits_for_the_celery_broker(fake_bin):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        proc = run_entrypoint(fake_bin, "celery", "worker", CONNECTION_CHECK_MAX_COUNT="2",
                              CONNECTION_CHECK_SLEEP_TIME="0", AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
                              AIRFLOW__CELERY__BROKER_URL=f"redis://:@127.0.0.1:{port}/0")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"Waiting for 127.0.0.1:{port}" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "airflow-args: celery worker"


# --------------------------------------------------------------------------
# the operations guide


def test_operations_guide_covers_the_deployment():
    doc = OPERATIONS.read_text(encoding="utf-8")
    for needle in (
        "cp .env.example .env", "docker compose up -d", "--scale airflow-worker=", "http://127.0.0.1:8081/",
        "http://127.0.0.1:8080/", "DUA_INBOX_DIR", "docker/compose.external-warehouse.yml", "pg_dump",
        "docker compose build", CELERY_PROVIDER,
    ):
        assert needle in doc, f"docs/operations.md does not mention {needle!r}"


# --------------------------------------------------------------------------
# what each service imports, from the locked environment


def test_the_locked_environment_loads_what_every_service_needs(resolved):
    """The scheduler loads the CeleryExecutor, every component builds the sync and
    the async metadata engine from the configured URLs, the workers reach the
    result backend and the Redis broker: all imported, in a fresh process with
    the deployment's environment, so a lock change cannot break them unseen."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(env_of(resolved["airflow-scheduler"]))
    env.pop("AIRFLOW_HOME", None)
    env["AIRFLOW__LOGGING__BASE_LOG_FOLDER"] = str(Path(os.environ.get("TMPDIR", "/tmp")) / "dua-compose-logs")
    code = """
import os
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import create_async_engine
from airflow.executors.executor_loader import ExecutorLoader
executor = ExecutorLoader.import_default_executor_cls()[0]  # from the configuration, as the scheduler does
assert executor.__name__ == "CeleryExecutor", executor
from airflow.providers.celery.executors import celery_executor_utils  # the worker's app
from celery.backends.database import retry  # removed in celery 5.7; the provider imports it
sync = create_engine(os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
async_ = create_async_engine(os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"])
backend = os.environ["AIRFLOW__CELERY__RESULT_BACKEND"].removeprefix("db+")
result = create_engine(backend)
app = celery_executor_utils.app
assert app.conf.broker_url == os.environ["AIRFLOW__CELERY__BROKER_URL"], app.conf.broker_url
from kombu.transport import resolve_transport
import redis
transport = resolve_transport(app.conf.broker_url.split(":", 1)[0])
print("LOADED", sync.dialect.driver, type(async_.sync_engine.dialect).__name__, result.dialect.driver,
      transport.__module__, redis.__version__)
"""
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    loaded = next(line for line in res.stdout.splitlines() if line.startswith("LOADED ")).split()[1:5]
    assert loaded == ["psycopg", "PGDialectAsync_psycopg", "psycopg", "kombu.transport.redis"], res.stdout


# every DUA_* setting the code reads, and where the deployment gets it
CODE_DIRS = ("include", "dags", "expectations", "dbt_project")
# set by the compose file itself, or read by the command line only (not a container setting)
NOT_FROM_ENV_FILE = {
    "DUA_HOME": "the containers use /opt/dua/home",
    "DUA_INBOX": "the containers use /opt/dua/inbox (the mount of DUA_INBOX_DIR)",
    "DUA_DBT_PROJECT_DIR": "the image's dbt project",
    "DUA_EXPECTATIONS_DIR": "the image's GX suites",
    "DUA_DEMO_CATALOGUE": "only `dua demo` uses the demo job tracks",
    "DUA_WAREHOUSE_URL": "built from DUA_WAREHOUSE_*",
    "DUA_DBT_HOST": "built from DUA_WAREHOUSE_*", "DUA_DBT_PORT": "built from DUA_WAREHOUSE_*",
    "DUA_DBT_USER": "built from DUA_WAREHOUSE_*", "DUA_DBT_PASSWORD": "built from DUA_WAREHOUSE_*",
    "DUA_DBT_DBNAME": "built from DUA_WAREHOUSE_*",
}


def code_settings() -> set[str]:
    names = set()
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".yml", ".sql") and "target" not in path.parts:
                names |= set(re.findall(r"\bDUA_[A-Z0-9_]*[A-Z0-9]\b", path.read_text(encoding="utf-8")))
    return names


def test_every_setting_the_code_reads_reaches_the_containers_and_env_example(resolved):
    settings = code_settings()
    assert {"DUA_PSEUDONYM_KEY", "DUA_AF_DUE_DAY", "DUA_ALERT_WEBHOOK", "DUA_SMTP_HOST"} <= settings
    env = env_of(resolved["airflow-worker"])
    triggerer = env_of(resolved["airflow-triggerer"])
    listed = {line.split("=", 1)[0] for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
              if "=" in line and not line.startswith("#")}
    for name in sorted(settings):
        assert name in env, f"{name} is read by the code but not passed to the workers by docker-compose.yml"
        assert name in triggerer, f"{name} is not passed to the triggerer"
        if name not in NOT_FROM_ENV_FILE:
            assert name in listed, f"{name} is read by the code but not listed in .env.example"
            assert f"${{{name}" in COMPOSE_FILE.read_text(encoding="utf-8"), (
                f"{name} is written in docker-compose.yml instead of read from .env")
