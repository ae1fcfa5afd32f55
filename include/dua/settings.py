"""Every ``DUA_*`` setting, declared once: its type, default, allowed range and
meaning.  Configuration comes from the environment only (``.env.example``
lists every setting; the README's configuration table is generated from this
module: ``python -m dua.settings --markdown``).

:func:`settings` reads and validates the whole environment each time it is
called (tests and commands change it between calls) and raises
:class:`ConfigError`, naming each variable, its rule and the value it got,
when any setting is malformed.  The ``dua`` command validates at its start, so
a bad value stops it before any work.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DAGS_DIR = PROJECT_ROOT / "dags"


class ConfigError(RuntimeError, ValueError):
    """A required setting is missing or malformed (also a ``ValueError``)."""


def _setting(default: Any, env: str, rule: str, description: str, group: str = "pipeline",
             secret: bool = False, **constraints: Any) -> Any:
    return Field(default, validation_alias=env, repr=not secret, description=description,
                 json_schema_extra={"env": env, "rule": rule, "group": group, "secret": secret},
                 **constraints)


GROUPS = {
    "pipeline": "The pipeline (`dua run`, the DAGs)",
    "unattended": "Unattended operation (the watch DAG, alerts; docs/unattended.md)",
    "paths": "Where the code finds its project files (set by the image)",
    "internal": "Set by `dua` itself, never by hand",
}


class Settings(BaseSettings):
    """The validated settings; attribute names are the variables' names
    without ``DUA_``, in lower case."""

    model_config = SettingsConfigDict(env_ignore_empty=True, extra="ignore", frozen=True,
                                      populate_by_name=False, case_sensitive=True)

    # --- the pipeline -------------------------------------------------------
    home: Path = _setting(
        Path("./.dua"), "DUA_HOME", "a folder",
        "local state: embedded warehouse data, Airflow home and logs, Cosmos cache, reports")
    warehouse_url: str | None = _setting(
        None, "DUA_WAREHOUSE_URL", "a postgresql:// URL",
        "PostgreSQL URL of the warehouse. Unset: the embedded PostgreSQL 18 under `DUA_HOME/pg`, started "
        "on 127.0.0.1 for the command and stopped after it. Only its own user gets in: `postgres` with a "
        "password generated into `DUA_HOME/pg/password` (mode 0600 from its creation), checked by SCRAM; "
        "`pg_hba.conf` rejects every other user and address, and there is no Unix socket. A server left "
        "running by a command that was killed is stopped cleanly by the next command's start", secret=True)
    pseudonym_key: bytes | None = _setting(
        None, "DUA_PSEUDONYM_KEY", "a secret text",
        "secret key of the personnummer pseudonyms (HMAC-SHA256). Required by `run`; `demo` makes its own "
        "(mode 0600, in `$DUA_HOME/demo_pseudonym_key`) and says so. Keep it outside the database: whoever "
        "holds it can link a known personnummer to its pseudonym. The warehouse keeps a fingerprint of it "
        "(`meta.pseudonym_key`, an HMAC of a fixed label under the key, not the key) and refuses loads with "
        "another key: they would make every person a new one. `dua rotate-key` changes it on purpose",
        secret=True)
    max_reject_share: float = _setting(
        0.05, "DUA_MAX_REJECT_SHARE", "a number from 0 to 1",
        "share of rejected rows above which a whole file is rejected", ge=0, le=1)
    max_shrink_share: float = _setting(
        0.5, "DUA_MAX_SHRINK_SHARE", "a number from 0 to 1",
        "a corrected Af file for a month already loaded is held for review — not applied, not published — "
        "when its snapshot has fewer persons than this share of the snapshot it would replace (a header-only "
        "file would delete the month). `0` applies every correction. `dua accept FILE` applies a held file",
        ge=0, le=1)
    column_aliases: str = _setting(
        "", "DUA_COLUMN_ALIASES", "comma-separated alias=column pairs",
        "header names of a municipality's export mapped onto the contract's, e.g. "
        "`pnr=personnummer,kommun=kommunkod`")
    max_line_chars: int = _setting(
        131_072, "DUA_MAX_LINE_CHARS", "a whole number of characters, at least 1024",
        "the longest line the loaders read, in characters; a longer line is quarantined as `line_too_long` "
        "(read in pieces, never held whole)", ge=1024)
    inbox_settle_seconds: float = _setting(
        30.0, "DUA_INBOX_SETTLE_SECONDS", "a number of seconds, 0 or more",
        "a file loads only once it is complete: unchanged (mtime and ctime) for this many seconds, or with "
        "an empty marker `<file>.done` beside it; for `dua run` as for the deployment's watch (`dua demo` "
        "uses `0` for the files it wrote itself)", ge=0)
    load_workers: int | None = _setting(
        None, "DUA_LOAD_WORKERS", "a whole number, at least 1",
        "processes loading files at once, each one municipality's files in order. Unset: the number of "
        "cores, at most 2; with fewer than 16 files the load stays in one process", ge=1)
    min_link_share: float = _setting(
        0.3, "DUA_MIN_LINK_SHARE", "a number from 0 to 1",
        "lowest share of a municipality's Dexter persons that must link to its Af data before the source "
        "check `dexter_persons_link_to_af` warns", ge=0, le=1)
    publication_retention: int = _setting(
        12, "DUA_PUBLICATION_RETENTION", "a whole number of publications, 0 (keep all) or more",
        "publications kept in `published.indicator_value_history`; older ones are deleted at the next "
        "publication. `0` keeps every one. Each kept publication holds a copy of `indicator_value` "
        "(3.5 M rows for the national benchmark)", ge=0)
    dbt_tasks: Literal["node", "build"] = _setting(
        "node", "DUA_DBT_TASKS", "'node' or 'build'",
        "`node`: the transform DAG has one Airflow task per dbt model and seed (the deployment's default; "
        "a failed node can be cleared alone). `build`: one task runs the whole `dbt build` (what `dua run` "
        "uses unless set: the start-up of dbt is paid once, not per node)")

    # --- unattended operation -------------------------------------------------
    inbox: Path = _setting(
        Path("/opt/dua/inbox"), "DUA_INBOX", "a folder",
        "the inbox the watch DAG polls (the deployment mounts the host's delivery folder there)", group="unattended")
    inbox_poll_seconds: float = _setting(
        30.0, "DUA_INBOX_POLL_SECONDS", "a number of seconds, more than 0",
        "seconds between two looks of the watch at the inbox", group="unattended", gt=0)
    af_due_day: int = _setting(
        10, "DUA_AF_DUE_DAY", "a day of the month from 1 to 28",
        "day of the month by which last month's Af file must be loaded; the watch alerts after it",
        group="unattended", ge=1, le=28)
    alert_webhook: str | None = _setting(
        None, "DUA_ALERT_WEBHOOK", "an http:// or https:// URL",
        "URL that receives `POST {\"subject\": ..., \"text\": ...}` for late Af files and tasks failed for "
        "good", group="unattended", secret=True)
    alert_email: str | None = _setting(
        None, "DUA_ALERT_EMAIL", "e-mail addresses, comma separated",
        "recipients of the same alerts by e-mail (needs `DUA_SMTP_HOST`)", group="unattended")
    alert_from: str = _setting(
        "dua@localhost", "DUA_ALERT_FROM", "an e-mail address",
        "sender of the alert e-mails", group="unattended")
    smtp_host: str | None = _setting(
        None, "DUA_SMTP_HOST", "a host name", "SMTP relay of the alert e-mails", group="unattended")
    smtp_port: int = _setting(
        25, "DUA_SMTP_PORT", "a port from 1 to 65535", "port of the SMTP relay", group="unattended",
        ge=1, le=65535)
    smtp_starttls: bool = _setting(
        False, "DUA_SMTP_STARTTLS", "1/true or 0/false",
        "use STARTTLS with the relay", group="unattended")
    smtp_user: str | None = _setting(
        None, "DUA_SMTP_USER", "a user name", "login at the relay, only if it asks for one",
        group="unattended")
    smtp_password: str | None = _setting(
        None, "DUA_SMTP_PASSWORD", "a secret text", "password at the relay", group="unattended",
        secret=True)

    # --- paths -----------------------------------------------------------------
    dbt_project_dir: Path = _setting(
        DBT_PROJECT_DIR, "DUA_DBT_PROJECT_DIR", "a folder",
        "the dbt project the transform DAG renders (default: the one beside the code)", group="paths")
    expectations_dir: Path = _setting(
        PROJECT_ROOT / "expectations", "DUA_EXPECTATIONS_DIR", "a folder",
        "the Great Expectations suites (default: the ones beside the code)", group="paths")

    # --- internal -------------------------------------------------------------
    demo_catalogue: bool = _setting(
        False, "DUA_DEMO_CATALOGUE", "1/true or 0/false",
        "`dua demo` sets it: the dbt build adds the demo job-track catalogue (seed "
        "`demo_jobbspar_katalog`) when no catalogue was delivered; never set in production",
        group="internal")

    @field_validator("home", mode="after")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("warehouse_url", mode="after")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("not a postgresql:// URL")
        return value

    @field_validator("alert_webhook", mode="after")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("not an http(s) URL")
        return value

    @field_validator("column_aliases", mode="after")
    @classmethod
    def _alias_pairs(cls, value: str) -> str:
        for item in filter(None, (s.strip() for s in value.split(","))):
            alias, sep, canonical = item.partition("=")
            if not (sep and alias.strip() and canonical.strip()):
                raise ValueError(f"{item!r} is not alias=column")
        return value

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def aliases(self) -> dict[str, str]:
        """``DUA_COLUMN_ALIASES`` as {alias: contract column}, both lower case."""
        out = {}
        for item in filter(None, (s.strip() for s in self.column_aliases.split(","))):
            alias, _, canonical = item.partition("=")
            out[alias.strip().lower()] = canonical.strip().lower()
        return out

    @property
    def workers(self) -> int:
        """Loader processes: ``DUA_LOAD_WORKERS``, or the cores up to 2."""
        return self.load_workers or max(1, min(2, os.cpu_count() or 1))


def declared() -> list[dict[str, Any]]:
    """Each setting as {env, name, type, default, rule, group, secret, description}."""
    out = []
    for name, field in Settings.model_fields.items():
        extra = dict(field.json_schema_extra or {})
        out.append({"name": name, "env": extra["env"], "rule": extra["rule"], "group": extra["group"],
                    "secret": extra["secret"], "default": field.default, "description": field.description})
    return out


# Set by the pipeline for dbt's profiles.yml from DUA_WAREHOUSE_URL (the
# deployment sets them from the same DUA_WAREHOUSE_* lines): never set by hand.
DERIVED = ("DUA_DBT_HOST", "DUA_DBT_PORT", "DUA_DBT_USER", "DUA_DBT_PASSWORD", "DUA_DBT_DBNAME")


def settings() -> Settings:
    """Read and validate every setting from the environment."""
    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigError(_explain(exc)) from None


def home_dir() -> Path:
    """``DUA_HOME`` alone, valid even when another setting is not (the failure
    log of a command stopped by a malformed setting needs it)."""
    return Path(os.environ.get("DUA_HOME") or Settings.model_fields["home"].default).expanduser().resolve()


def _explain(exc: ValidationError) -> str:
    by_env = {d["env"]: d for d in declared()}
    lines = []
    for err in exc.errors():
        env = str(err["loc"][0]) if err["loc"] else "?"
        spec = by_env.get(env)
        shown = "(hidden)" if spec and spec["secret"] else repr(os.environ.get(env, err.get("input")))
        detail = str(err.get("msg", "")).removeprefix("Value error, ")
        rule = spec["rule"] if spec else detail
        why = f" ({detail})" if spec and err.get("type") == "value_error" else ""
        lines.append(f"{env} must be {rule}, got {shown}{why}")
    return "; ".join(lines)


def _default_text(d: dict[str, Any]) -> str:
    default = d["default"]
    if default is None:
        return ""
    if isinstance(default, bool):
        return "1" if default else "0"
    if isinstance(default, Path):
        if not default.is_absolute():
            return f"./{default}"
        if PROJECT_ROOT in default.parents:
            return f"{default.relative_to(PROJECT_ROOT)}/"
    if isinstance(default, float) and default.is_integer():
        return str(int(default))
    return str(default)


def markdown_table() -> str:
    """The README's configuration table, one section per group."""
    out = []
    for group, title in GROUPS.items():
        out += [f"**{title}**", "", "| variable | default | allowed | meaning |", "|---|---|---|---|"]
        for d in declared():
            if d["group"] == group:
                default = _default_text(d)
                default = f"`{default}`" if default else "unset"
                out.append(f"| `{d['env']}` | {default} | {d['rule']} | {d['description']} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    if sys.argv[1:] == ["--markdown"]:
        sys.stdout.write(markdown_table())
    else:
        sys.exit("usage: python -m dua.settings --markdown")
