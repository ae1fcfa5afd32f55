"""Unattended operation: watch the inbox, alert on late Af files.

``dua_watch`` (every 5 minutes, one run at a time): ``wait_for_new_files``
defers to :class:`dua.orchestration.schedule.InboxTrigger` in the triggerer, which polls the
inbox (``DUA_INBOX``) until a file whose sha256 is not in ``meta.file_ledger``
appears, or the window ends (the task is then skipped and the next run takes
over); ``trigger_ingest`` starts ``dua_ingest`` on that inbox and waits
(deferred) until it finished, so the next watch run does not see the same
files again.  ``dua_transform`` follows from the ingest DAG's Assets.

``dua_alerts`` (daily): municipalities whose previous month's Af file is
missing after ``DUA_AF_DUE_DAY`` are notified; the task succeeds with the list
in its log and XCom.

Thin: the logic is in ``dua.orchestration.schedule`` and ``dua.orchestration.notify``.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pendulum
from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import BaseOperator, dag, task
from airflow.sdk.exceptions import AirflowSkipException

from dua.orchestration.dag_common import DEFAULT_ARGS

WATCH_WINDOW = timedelta(minutes=4)  # shorter than the schedule: a run ends before the next is due


class InboxSensor(BaseOperator):
    """Defers until a new (not yet ledgered) file is in the inbox; skipped
    when none came within ``window``.  Returns the inbox and the file names."""

    ui_color = "#e8f4fd"

    def __init__(self, *, window: timedelta = WATCH_WINDOW, **kwargs):
        super().__init__(**kwargs)
        self.window = window

    def execute(self, context):
        from dua.orchestration.schedule import InboxTrigger
        from dua.settings import settings

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


@dag(
    dag_id="dua_watch",
    description="Wait (in the triggerer) for new files in the inbox, then run dua_ingest on them",
    schedule="*/5 * * * *",
    start_date=pendulum.datetime(2024, 1, 1, tz="Europe/Stockholm"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["dua", "watch"],
)
def dua_watch():
    found = InboxSensor(task_id="wait_for_new_files")
    trigger = TriggerDagRunOperator(
        task_id="trigger_ingest",
        trigger_dag_id="dua_ingest",
        conf={"inbox": "{{ ti.xcom_pull(task_ids='wait_for_new_files')['inbox'] }}"},
        wait_for_completion=True,
        deferrable=True,
        poke_interval=15,
        allowed_states=["success"],
        failed_states=["failed"],
    )
    found >> trigger


@dag(
    dag_id="dua_alerts",
    description="Notify when a municipality's Arbetsförmedlingen file of last month is late",
    schedule="0 7 * * *",
    start_date=pendulum.datetime(2024, 1, 1, tz="Europe/Stockholm"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["dua", "alerts"],
)
def dua_alerts():
    @task
    def check_late_af() -> list[list[str]]:
        from dua.orchestration.notify import notify
        from dua.orchestration.schedule import late_af_months
        from dua.orchestration.tasks import warehouse_url
        from dua.settings import settings

        due = settings().af_due_day
        late = late_af_months(warehouse_url(), pendulum.now("Europe/Stockholm").date(), due)
        if late:
            text = "\n".join(f"kommun {k}: Af file for {m} not loaded (due day {due})" for k, m in late)
            notify(f"[dua] {len(late)} late Arbetsförmedlingen file(s)", text)
            print(text)
        else:
            print("no late Arbetsförmedlingen files")
        return [list(x) for x in late]

    check_late_af()


dua_watch()
dua_alerts()
