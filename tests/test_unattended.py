"""Unattended operation: new-file detection, late Af files, notifications,
the inbox trigger and the watch/alerts DAGs."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import psycopg
import pytest

from dua.ingest.loader import hash_and_detect
from dua.orchestration.notify import NotifyError, failure_message, notify, on_failure_callback
from dua.orchestration.schedule import InboxTrigger, late_af_months, new_files


def _ledger(url: str, name: str, source: str, kommunkod: str | None, file_date: dt.date | None,
            status: str = "loaded", sha: str | None = None) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(
            """insert into meta.file_ledger (file_name, source, kommunkod, file_date, sha256, status)
               values (%s, %s, %s, %s, %s, %s)""",
            (name, source, kommunkod, file_date, sha or hashlib.sha256(name.encode()).hexdigest(), status),
        )


def _old(path: Path, seconds: float = 600) -> Path:
    t = time.time() - seconds
    os.utime(path, (t, t))
    return path


# --- new_files -------------------------------------------------------------------------------


def test_new_files_are_those_not_in_the_ledger(db_url, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    a = inbox / "af_status_0581_202401.csv"
    a.write_text("personnummer;x\n")
    b = inbox / "sub" / "dexter_isp_0581_20240115.csv"
    b.parent.mkdir()
    b.write_text("kommunkod;y\n")
    (inbox / ".hidden.csv").write_text("x")
    for p in (a, b):
        _old(p)
    assert new_files(db_url, inbox) == [b, a]  # load order: dexter before af
    _ledger(db_url, "whatever_name.csv", "af", "0581", dt.date(2024, 1, 1), sha=hash_and_detect(a)[0])
    assert new_files(db_url, inbox) == [b]
    # identical bytes under another name: already delivered
    c = inbox / "copy" / "af_status_0581_202401.csv"
    c.parent.mkdir()
    c.write_bytes(a.read_bytes())
    _old(c)
    assert new_files(db_url, inbox) == [b]


def test_new_files_waits_for_files_to_settle_and_caches_hashes(db_url, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    fresh = inbox / "af_status_0581_202402.csv"
    fresh.write_text("a;b\n")
    assert new_files(db_url, inbox, settle_seconds=60) == []
    cache: dict = {}
    assert new_files(db_url, inbox, settle_seconds=0, cache=cache) == [fresh]
    assert list(cache.values()) == [hash_and_detect(fresh)[0]]
    assert new_files(db_url, tmp_path / "missing") == []


# --- late_af_months --------------------------------------------------------------------------


def test_late_af_months(db_url):
    # 0581: May loaded; 1280: May rejected, April loaded; 0180: May superseded (corrected) -> delivered;
    # 2480: only Dexter files -> not an Af municipality
    _ledger(db_url, "af_status_0581_202405.csv", "af", "0581", dt.date(2024, 5, 1))
    _ledger(db_url, "af_status_1280_202404.csv", "af", "1280", dt.date(2024, 4, 1))
    _ledger(db_url, "af_status_1280_202405.csv", "af", "1280", dt.date(2024, 5, 1), status="rejected")
    _ledger(db_url, "af_status_0180_202405.csv", "af", "0180", dt.date(2024, 5, 1), status="superseded")
    _ledger(db_url, "dexter_isp_2480_20240601.csv", "dexter", "2480", dt.date(2024, 6, 1))
    assert late_af_months(db_url, dt.date(2024, 6, 10), due_day=10) == []  # not past the due day
    assert late_af_months(db_url, dt.date(2024, 6, 11), due_day=10) == [("1280", "2024-05")]
    assert late_af_months(db_url, dt.date(2024, 6, 3), due_day=2) == [("1280", "2024-05")]
    # a month later everyone is late for June; January looks back to December
    assert late_af_months(db_url, dt.date(2024, 7, 20)) == [("0180", "2024-06"), ("0581", "2024-06"),
                                                            ("1280", "2024-06")]
    assert [m for _, m in late_af_months(db_url, dt.date(2025, 1, 11))] == ["2024-12"] * 3


def test_late_af_months_empty_ledger(db_url):
    assert late_af_months(db_url, dt.date(2024, 6, 30)) == []


# --- notify ----------------------------------------------------------------------------------


@pytest.fixture
def webhook():
    received: list[dict] = []
    status = {"code": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"content_type": self.headers["Content-Type"], "body": json.loads(body)})
            self.send_response(status["code"])
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received, status
    server.shutdown()
    server.server_close()


def test_notify_is_a_noop_without_configuration(monkeypatch, caplog):
    for k in ("DUA_ALERT_WEBHOOK", "DUA_ALERT_EMAIL"):
        monkeypatch.delenv(k, raising=False)
    with caplog.at_level("INFO", logger="dua.orchestration.notify"):
        assert notify("subject", "text") == []
    assert "not sent" in caplog.text


def test_notify_posts_json_to_the_webhook(monkeypatch, webhook):
    url, received, _ = webhook
    monkeypatch.setenv("DUA_ALERT_WEBHOOK", url)
    monkeypatch.delenv("DUA_ALERT_EMAIL", raising=False)
    assert notify("[dua] hello", "två rader\nandra") == ["webhook"]
    assert received == [{"content_type": "application/json; charset=utf-8",
                         "body": {"subject": "[dua] hello", "text": "två rader\nandra"}}]


def test_notify_raises_when_a_channel_fails(monkeypatch, webhook):
    url, _, status = webhook
    status["code"] = 500
    monkeypatch.setenv("DUA_ALERT_WEBHOOK", url)
    monkeypatch.delenv("DUA_ALERT_EMAIL", raising=False)
    with pytest.raises(NotifyError):
        notify("s", "t")
    monkeypatch.setenv("DUA_ALERT_WEBHOOK", "http://127.0.0.1:9/")  # nothing listens on the discard port
    with pytest.raises(NotifyError):
        notify("s", "t")


def test_notify_sends_email(monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port, timeout))

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

        def send_message(self, msg):
            sent.append(("send", msg["To"], msg["Subject"], msg.get_content().strip()))

    monkeypatch.setattr("dua.orchestration.notify.smtplib.SMTP", FakeSMTP)
    monkeypatch.delenv("DUA_ALERT_WEBHOOK", raising=False)
    monkeypatch.setenv("DUA_ALERT_EMAIL", "ops@example.org")
    monkeypatch.setenv("DUA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DUA_SMTP_PORT", "2525")
    assert notify("s", "t") == ["email"]
    assert sent == [("connect", "127.0.0.1", 2525, 10), ("send", "ops@example.org", "s", "t")]


class _TI:
    dag_id = "dua_ingest"
    task_id = "load_af"
    run_id = "manual__2024-06-01"
    try_number = 3


def test_failure_callback_sends_ids_but_not_the_exception_message(monkeypatch, webhook):
    url, received, _ = webhook
    monkeypatch.setenv("DUA_ALERT_WEBHOOK", url)
    monkeypatch.delenv("DUA_ALERT_EMAIL", raising=False)
    secret = "198001019802"  # what an exception message could quote
    on_failure_callback({"task_instance": _TI(), "exception": ValueError(f"bad row {secret}")})
    body = received[0]["body"]
    assert body["subject"] == "[dua] task failed: dua_ingest.load_af"
    for part in ("dua_ingest", "load_af", "manual__2024-06-01", "ValueError"):
        assert part in body["text"]
    assert secret not in json.dumps(body)


def test_failure_callback_never_raises(monkeypatch):
    monkeypatch.setenv("DUA_ALERT_WEBHOOK", "http://127.0.0.1:9/")
    on_failure_callback({"task_instance": _TI(), "exception": RuntimeError("x")})
    subject, _ = failure_message({})
    assert subject.startswith("[dua] task failed")


# --- the trigger -----------------------------------------------------------------------------


async def _first_event(trigger: InboxTrigger):
    async for event in trigger.run():
        return event.payload


def test_inbox_trigger_fires_on_a_new_file(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DUA_WAREHOUSE_URL", db_url)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    trigger = InboxTrigger(inbox=str(inbox), deadline=time.time() + 30, poll_seconds=0.2, settle_seconds=0)
    cls, kwargs = trigger.serialize()
    assert cls == "dua.orchestration.schedule.InboxTrigger" and "url" not in json.dumps(kwargs)

    async def drop_later():
        await asyncio.sleep(0.5)
        (inbox / "af_status_0581_202401.csv").write_text("a;b\n")

    async def main():
        dropper = asyncio.create_task(drop_later())
        event = await asyncio.wait_for(_first_event(InboxTrigger(**kwargs)), 20)
        await dropper
        return event

    started = time.monotonic()
    event = asyncio.run(main())
    assert event == {"status": "found", "inbox": str(inbox), "files": ["af_status_0581_202401.csv"]}
    assert time.monotonic() - started < 10


def test_inbox_trigger_times_out_and_reports_errors(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DUA_WAREHOUSE_URL", db_url)
    t = InboxTrigger(inbox=str(tmp_path), deadline=time.time() + 0.3, poll_seconds=0.1, settle_seconds=0)
    assert asyncio.run(_first_event(t))["status"] == "timeout"
    (tmp_path / "af_status_0581_202401.csv").write_text("a;b\n")
    monkeypatch.setenv("DUA_WAREHOUSE_URL", db_url + "_does_not_exist")
    event = asyncio.run(_first_event(InboxTrigger(inbox=str(tmp_path), deadline=time.time() + 5, settle_seconds=0)))
    assert event["status"] == "error" and "OperationalError" in event["message"]
    monkeypatch.delenv("DUA_WAREHOUSE_URL")
    event = asyncio.run(_first_event(InboxTrigger(inbox=str(tmp_path), deadline=time.time() + 5)))
    assert event["status"] == "error"


# --- the DAGs --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dagbag():
    from dua.orchestration.dbt_runner import ensure_manifest

    ensure_manifest()
    from airflow.dag_processing.dagbag import DagBag

    from dua.settings import DAGS_DIR

    return DagBag(dag_folder=str(DAGS_DIR))


def test_watch_and_alert_dags(dagbag):
    assert dagbag.import_errors == {}
    assert {"dua_watch", "dua_alerts"} <= set(dagbag.dag_ids)
    watch = dagbag.dags["dua_watch"]
    assert watch.max_active_runs == 1 and watch.catchup is False
    assert watch.timetable.expression == "*/5 * * * *"
    assert [t.task_id for t in watch.topological_sort()] == ["wait_for_new_files", "trigger_ingest"]
    trig = watch.get_task("trigger_ingest")
    assert trig.trigger_dag_id == "dua_ingest" and trig.deferrable and trig.wait_for_completion
    for dag_id in ("dua_watch", "dua_alerts"):
        dag = dagbag.dags[dag_id]
        assert "dua" in dag.tags and dag.catchup is False
        for t in dag.tasks:
            assert t.retries >= 2 and t.retry_exponential_backoff, t.task_id


@pytest.mark.parametrize("dag_id", ["dua_ingest", "dua_transform", "dua_watch", "dua_alerts"])
def test_every_task_notifies_on_failure(dagbag, dag_id):
    for t in dagbag.dags[dag_id].tasks:
        if t.task_id == "run_outcome":
            # The run's verdict repeats a failure already alerted by the task
            # that failed: it must not send a second alert.
            assert not t.on_failure_callback, t.task_id
            continue
        assert on_failure_callback in (t.on_failure_callback or []), t.task_id


def test_inbox_sensor_outcomes(dagbag):
    from airflow.sdk.exceptions import AirflowSkipException

    sensor = dagbag.dags["dua_watch"].get_task("wait_for_new_files")
    with pytest.raises(AirflowSkipException):
        sensor.execute_complete({}, {"status": "timeout", "inbox": "/x", "files": []})
    with pytest.raises(RuntimeError, match="OperationalError"):
        sensor.execute_complete({}, {"status": "error", "message": "OperationalError while polling the inbox"})
    assert sensor.execute_complete({}, {"status": "found", "inbox": "/x", "files": ["a.csv"]}) == {
        "inbox": "/x", "files": ["a.csv"]}
