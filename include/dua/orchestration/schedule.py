"""Unattended operation: which inbox files are new, which Af months are late,
and the trigger that waits for new files in Airflow's triggerer.

``new_files`` and ``late_af_months`` are plain functions on the warehouse
(tested without Airflow); :class:`InboxTrigger` only calls ``new_files`` from
an asyncio loop, so the wait costs no worker slot and no busy loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowSkipException
from airflow.triggers.base import BaseTrigger, TriggerEvent

from dua.ingest.loader import content_digest, scan
from dua.ingest.reader import display_name
from dua.settings import settings

DEFAULT_AF_DUE_DAY = 10

# (path, size, mtime_ns) -> sha256: a poll does not rehash files it has seen
HashCache = dict[tuple[str, int, int], str]




def new_files(url: str, inbox: Path, settle_seconds: float = 0, cache: HashCache | None = None) -> list[Path]:
    """Complete files below ``inbox`` (as :func:`dua.ingest.loader.scan` sees them, in
    load order) whose content is not in ``meta.file_ledger``.

    A file changed less than ``settle_seconds`` ago and without a ``.done``
    marker is left for the next poll (it may still be being written).  A link
    out of the inbox is never read: it counts by :func:`dua.ingest.loader.content_digest`
    (it is new once, then recorded as rejected)."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        return []
    hashes: dict[Path, str] = {}
    for sf in scan(inbox, settle_seconds)[0]:
        try:
            st = sf.path.lstat()
        except FileNotFoundError:  # moved away between listing and stat
            continue
        key = (str(sf.path), st.st_size, st.st_mtime_ns)
        digest = cache.get(key) if cache is not None else None
        if digest is None:
            digest = content_digest(sf)
            if cache is not None:
                cache[key] = digest
        hashes[sf.path] = digest
    if not hashes:
        return []
    with psycopg.connect(url) as conn:
        known = {
            r[0]
            for r in conn.execute(
                "select sha256 from meta.file_ledger where sha256 = any(%s)", (list(set(hashes.values())),)
            )
        }
    return [p for p, h in hashes.items() if h not in known]


def _previous_month(today: dt.date) -> dt.date:
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def late_af_months(url: str, today: dt.date, due_day: int = DEFAULT_AF_DUE_DAY) -> list[tuple[str, str]]:
    """``(kommunkod, 'YYYY-MM')`` of every municipality with loaded Af files
    whose previous month's Af file is not loaded although ``today`` is past
    the due day.  A rejected file does not count as delivered; a superseded one
    does (its month was loaded, then corrected)."""
    if today.day <= due_day:
        return []
    month = _previous_month(today)
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """with municipalities as (
                   select distinct kommunkod from meta.file_ledger
                   where source = 'af' and status in ('loaded', 'superseded') and kommunkod is not null
               )
               select m.kommunkod from municipalities m
               where not exists (
                   select 1 from meta.file_ledger f
                   where f.source = 'af' and f.kommunkod = m.kommunkod and f.file_date = %s
                     and f.status in ('loaded', 'superseded'))
               order by 1""",
            (month,),
        ).fetchall()
    return [(r[0], month.strftime("%Y-%m")) for r in rows]


class InboxTrigger(BaseTrigger):
    """Polls the inbox every ``poll_seconds`` (``asyncio.sleep`` between
    polls) until a file not in the ledger appears, or ``deadline`` (epoch
    seconds; absolute, so a triggerer restart does not extend the wait).

    Events: ``found`` (with file names), ``timeout``, ``error`` (a type name and
    short message, no personal data).  The warehouse URL comes from
    ``DUA_WAREHOUSE_URL`` of the triggerer: it is never serialized into
    Airflow's metadata database."""

    def __init__(self, inbox: str, deadline: float, poll_seconds: float = 30, settle_seconds: float = 30):
        super().__init__()
        self.inbox = inbox
        self.deadline = deadline
        self.poll_seconds = poll_seconds
        self.settle_seconds = settle_seconds

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            "dua.orchestration.schedule.InboxTrigger",
            {"inbox": self.inbox, "deadline": self.deadline, "poll_seconds": self.poll_seconds,
             "settle_seconds": self.settle_seconds},
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        url = settings().warehouse_url
        if not url:
            yield TriggerEvent({"status": "error", "message": "DUA_WAREHOUSE_URL is not set in the triggerer"})
            return
        cache: HashCache = {}
        while True:
            try:
                found = await asyncio.to_thread(new_files, url, Path(self.inbox), self.settle_seconds, cache)
            except Exception as exc:  # noqa: BLE001 - reported to the task, which fails and retries
                yield TriggerEvent({"status": "error", "message": f"{type(exc).__name__} while polling the inbox"})
                return
            if found:
                self.log.info("%d new file(s) in %s", len(found), self.inbox)
                yield TriggerEvent({"status": "found", "inbox": self.inbox,
                                    "files": [display_name(p.name) for p in found]})
                return
            remaining = self.deadline - time.time()
            if remaining <= 0:
                yield TriggerEvent({"status": "timeout", "inbox": self.inbox, "files": []})
                return
            await asyncio.sleep(min(self.poll_seconds, remaining))


WATCH_WINDOW = timedelta(minutes=4)  # shorter than the schedule: a run ends before the next is due


class InboxSensor(BaseOperator):
    """Defers until a new (not yet ledgered) file is in the inbox; skipped
    when none came within ``window``.  Returns the inbox and the file names."""

    ui_color = "#e8f4fd"

    def __init__(self, *, window: timedelta = WATCH_WINDOW, **kwargs):
        super().__init__(**kwargs)
        self.window = window

    def execute(self, context):
        cfg = settings()
        self.defer(
            trigger=InboxTrigger(
                inbox=str(cfg.inbox),
                deadline=time.time() + self.window.total_seconds(),
                poll_seconds=cfg.inbox_poll_seconds,
                settle_seconds=cfg.inbox_settle_seconds,
            ),
            method_name="execute_complete",
        )

    def execute_complete(self, context, event: dict):
        status = event.get("status")
        if status == "timeout":
            raise AirflowSkipException(f"no new files in {event.get('inbox')}")
        if status != "found":
            raise RuntimeError(f"watching the inbox failed: {event.get('message')}")
        self.log.info("new files in %s: %s", event["inbox"], ", ".join(event["files"]))
        return {"inbox": event["inbox"], "files": event["files"]}
