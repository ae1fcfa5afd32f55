"""What the DAG files share: default task arguments, the run id a task
reports under, and the last task of a run that makes the run's state tell the
truth.

Airflow sets a run's state from its leaf tasks only.  A task that must run
whatever happened before it (``trigger_rule="all_done"``: the reports, the
raw-layer event) would make a run "success" although a loader failed or the
publication was blocked; :func:`run_outcome` is the leaf that fails the run
then, after everything else has had its turn.
"""

from __future__ import annotations

from datetime import timedelta

from dua.orchestration.notify import on_failure_callback

DEFAULT_ARGS = {
    "owner": "dua",
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=10),
    "on_failure_callback": on_failure_callback,  # notify when a task failed for good
}


def dua_run_id(ctx) -> str:
    """The ``dua`` command's run id when a command started the run, else Airflow's."""
    return ctx["params"].get("dua_run_id") or ctx["run_id"]


def task_states(ctx, task_ids: list[str]) -> dict[str, str]:
    """Final states of ``task_ids`` in this run (task-group ids prefixed as in the DAG)."""
    ti = ctx["ti"]
    states = ti.get_task_states(dag_id=ti.dag_id, task_ids=task_ids, run_ids=[ti.run_id])
    return {task_id: str(state) for task_id, state in (states.get(ti.run_id) or {}).items()}


def outcome_problems(
    states: dict[str, str], must_succeed: tuple[str, ...], must_not_fail: tuple[str, ...]
) -> list[str]:
    """What makes a run failed: a task of ``must_succeed`` that did not succeed,
    a task of ``must_not_fail`` that failed (skipped is fine there)."""
    problems = [f"{t}: {states.get(t, 'not run')}" for t in must_succeed if states.get(t) != "success"]
    problems += [f"{t}: {states[t]}" for t in must_not_fail if states.get(t) in ("failed", "upstream_failed")]
    return problems


def run_outcome(what: str, must_succeed: tuple[str, ...] = (), must_not_fail: tuple[str, ...] = ()):
    """The run's last task (``all_done``): fails, naming the tasks, when
    :func:`outcome_problems` finds any; no retries, no alert of its own."""
    from airflow.sdk import get_current_context, task
    from airflow.sdk.exceptions import AirflowFailException

    @task(task_id="run_outcome", trigger_rule="all_done", retries=0, on_failure_callback=None)
    def outcome() -> str:
        ctx = get_current_context()
        states = task_states(ctx, [*must_succeed, *must_not_fail])
        problems = outcome_problems(states, must_succeed, must_not_fail)
        if problems:
            raise AirflowFailException(f"{what}: {'; '.join(problems)}")
        return "ok"

    return outcome()
