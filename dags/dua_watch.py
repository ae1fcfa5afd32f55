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

Thin: the sensor and trigger are in ``dua.orchestration.schedule``, the alert in
``dua.orchestration.tasks``.
"""

from __future__ import annotations

import pendulum
from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import dag, task

from dua.orchestration.dag_common import DEFAULT_ARGS
from dua.orchestration.schedule import InboxSensor


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
        from dua.orchestration.tasks import alert_late_af

        return alert_late_af(pendulum.now("Europe/Stockholm").date())

    check_late_af()


dua_watch()
dua_alerts()
