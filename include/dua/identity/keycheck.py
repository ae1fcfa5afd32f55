"""The warehouse remembers which pseudonym key made its person_id.

Pseudonyms are keyed hashes (HMAC-SHA256) of the personnummer: a load with
another key makes every person a new one (distinct persons double, indicators
change) and nothing in the rows shows it.  So the warehouse keeps a
fingerprint of the key in ``meta.pseudonym_key`` — an HMAC of a fixed label
under the key, from which the key cannot be found — and every load compares
the key it was given.  The first load records it.  Changing keys on purpose
is ``dua rotate-key`` (docs/operations.md): pseudonyms cannot be converted
from one key to the other (that would need the personnummer), so the raw
layer is rebuilt from the delivered files.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from dua.settings import ConfigError

FINGERPRINT_LABEL = b"dua pseudonym key fingerprint v1"
ROTATE_HINT = ("to change keys on purpose, rebuild with `dua rotate-key --inbox DIR --old-key-file FILE` "
               "(docs/operations.md, \"Changing the pseudonym key\")")


class KeyMismatch(ConfigError):
    """The key given is not the one the warehouse's pseudonyms were made with."""


def fingerprint(key: bytes) -> str:
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def recorded(conn: psycopg.Connection) -> tuple[str, object] | None:
    """(fingerprint, recorded_at) of the warehouse's key, or None before the first load."""
    return conn.execute("select fingerprint, recorded_at from meta.pseudonym_key").fetchone()


def check_key(url: str, key: bytes, record: bool = True) -> str:
    """Raise :class:`KeyMismatch` unless ``key`` is the warehouse's key.

    With no key recorded yet, ``record`` records this one (the first load, or
    the first load of a warehouse made before fingerprints were kept) and
    returns ``"recorded"``; otherwise returns ``"match"`` (or ``"none"``
    when nothing is recorded and ``record`` is false)."""
    mine = fingerprint(key)
    with psycopg.connect(url) as conn:
        if record:
            inserted = conn.execute(
                "insert into meta.pseudonym_key (fingerprint) values (%s) on conflict (singleton) do nothing "
                "returning 1", (mine,)).fetchone()
            if inserted:
                return "recorded"
        row = recorded(conn)
    if row is None:
        return "none"
    if row[0] == mine:
        return "match"
    raise KeyMismatch(
        f"DUA_PSEUDONYM_KEY is not the key this warehouse's pseudonyms were made with (fingerprint "
        f"{mine[:12]}, the warehouse's {row[0][:12]} since {row[1]:%Y-%m-%d}): with it every person would "
        f"count twice; set the warehouse's key, or {ROTATE_HINT}")


@dataclass
class RotationPlan:
    nothing_to_do: str | None = None  # why there is nothing to rotate
    loaded: int = 0  # files whose rows are in the raw layer
    missing: list[str] = field(default_factory=list)  # of those, the ones not in the inbox


def plan_rotation(url: str, new_key: bytes, old_key: bytes | None, inbox: Path) -> RotationPlan:
    """What ``dua rotate-key`` would do; raises KeyMismatch when ``old_key``
    is given and is not the warehouse's key either."""
    from dua.ingest.loader import discover, hash_and_detect

    with psycopg.connect(url) as conn:
        row = recorded(conn)
        if row is None:
            return RotationPlan(nothing_to_do="no key is recorded in this warehouse yet: the first `dua run` "
                                              "records the key it loads with")
        if row[0] == fingerprint(new_key):
            return RotationPlan(nothing_to_do="DUA_PSEUDONYM_KEY is the warehouse's key already; nothing changed")
        if old_key is not None and fingerprint(old_key) != row[0]:
            raise KeyMismatch(f"the old key given is not the warehouse's key either (fingerprint "
                              f"{fingerprint(old_key)[:12]}, the warehouse's {row[0][:12]}); nothing changed")
        loaded = conn.execute(
            "select sha256, file_name from meta.file_ledger where status = 'loaded' order by file_id").fetchall()
    present = {hash_and_detect(sf.path)[0] for sf in discover(inbox)}
    return RotationPlan(loaded=len(loaded), missing=[name for sha, name in loaded if sha not in present])


# Schemas dbt builds from the raw layer (person_id of the old key in them);
# `published` holds aggregates only and stays until the rebuild publishes.
BUILT_SCHEMAS = ("staging", "intermediate", "marts", "indicators", "restricted")


def rotate(url: str, new_key: bytes) -> dict[str, int]:
    """Empty the raw layer, the ledger and the quarantine, drop what dbt built
    from them, and record the new key's fingerprint — one transaction.  The
    caller loads the delivered files again."""
    with psycopg.connect(url) as conn, conn.transaction():
        counts = {
            "files": conn.execute("select count(*) from meta.file_ledger").fetchone()[0],
            "rows": sum(conn.execute(f"select count(*) from {t}").fetchone()[0]
                        for t in ("raw.dexter_enrolment", "raw.af_status", "raw.jobbspar_katalog")),
            "quarantine": conn.execute("select count(*) from meta.quarantine").fetchone()[0],
        }
        conn.execute("truncate raw.dexter_enrolment, raw.af_status, raw.jobbspar_katalog, meta.quarantine, "
                     "meta.file_finding, meta.file_ledger")
        for schema in BUILT_SCHEMAS:
            conn.execute(f'drop schema if exists "{schema}" cascade')
        conn.execute(
            """update meta.pseudonym_key set previous_fingerprint = fingerprint, fingerprint = %s,
                   rotated_at = now()""",
            (fingerprint(new_key),),
        )
    return counts
