"""Access by role, created idempotently by every transform run (its first task).

- ``dua_loader``: writes the raw layer, the ledger and the quarantine.
- ``dua_transformer``: reads raw/meta, builds the dbt schemas.
- ``dua_bi_reader``: USAGE and SELECT on ``published`` only.
- ``dua_case_worker``: SELECT on ``restricted.worklist`` only.

The roles are NOLOGIN groups: grant them to login users of the deployment.
"""

from __future__ import annotations

import logging

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

ROLES = ("dua_loader", "dua_transformer", "dua_bi_reader", "dua_case_worker")
BUILD_SCHEMAS = ("seeds", "staging", "intermediate", "marts", "indicators")


def ensure_roles(conn: psycopg.Connection) -> None:
    """Create the roles and grants (idempotent).  ``conn`` is an owner's."""
    conn.execute("select pg_advisory_xact_lock(7410004)")
    for role in ROLES:
        exists = conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
    dbname = conn.info.dbname
    for role in ROLES:
        conn.execute(sql.SQL("grant connect on database {} to {}").format(sql.Identifier(dbname),
                                                                         sql.Identifier(role)))
    # nothing in the public schema is for anyone but the owner
    conn.execute("revoke all on schema public from public")

    conn.execute("grant usage on schema raw, meta to dua_loader, dua_transformer")
    conn.execute("grant select, insert, update, delete on all tables in schema raw, meta to dua_loader")
    conn.execute("grant usage on all sequences in schema meta to dua_loader")
    conn.execute("grant select on all tables in schema raw, meta to dua_transformer")
    for schema in BUILD_SCHEMAS:
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("grant usage, create on schema {} to dua_transformer").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("grant select on all tables in schema {} to dua_transformer").format(
            sql.Identifier(schema)))

    conn.execute("create schema if not exists published")
    conn.execute("grant usage on schema published to dua_bi_reader")
    conn.execute("grant select on all tables in schema published to dua_bi_reader")
    conn.execute("alter default privileges in schema published grant select on tables to dua_bi_reader")

    # the worklist for joint assessments: the case-worker role only
    conn.execute("create schema if not exists restricted")
    conn.execute("revoke all on schema restricted from public")
    conn.execute("grant usage on schema restricted to dua_case_worker")
    conn.execute("grant usage, create on schema restricted to dua_transformer")
    conn.execute("grant select on all tables in schema restricted to dua_case_worker")


def ensure_roles_if_permitted(url: str) -> bool:
    """Create the roles unless the warehouse user may not (then a DBA does)."""
    with psycopg.connect(url) as conn:
        try:
            with conn.transaction():
                ensure_roles(conn)
        except psycopg.errors.InsufficientPrivilege as exc:
            log.warning("roles not managed by the pipeline (%s); a DBA grants them", exc)
            return False
    return True
