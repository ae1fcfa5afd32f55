"""Notifications for unattended runs: a JSON webhook and/or an e-mail.

Configured from the environment only:

- ``DUA_ALERT_WEBHOOK``: URL that receives ``POST {"subject": ..., "text": ...}``
- ``DUA_ALERT_EMAIL``: recipient(s), comma separated, sent through
  ``DUA_SMTP_HOST`` / ``DUA_SMTP_PORT`` (default 25), from ``DUA_ALERT_FROM``
  (default ``dua@localhost``); ``DUA_SMTP_STARTTLS=1`` and
  ``DUA_SMTP_USER`` / ``DUA_SMTP_PASSWORD`` when the relay needs them.

Neither configured: a log line, nothing sent.  Messages carry identifiers only
(DAG, task and run ids, file names, check names): callers must never pass
personal data, and the failure callback sends the exception's type, not its
message (which could quote a row).
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from email.message import EmailMessage
from typing import Any

from dua.settings import settings

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10


class NotifyError(RuntimeError):
    """A configured channel could not deliver the notification."""


def _webhook(url: str, subject: str, text: str) -> None:
    body = json.dumps({"subject": subject, "text": text}).encode("utf-8")
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as resp:  # noqa: S310 - URL from the operator's config
        if not 200 <= resp.status < 300:
            raise NotifyError(f"webhook answered HTTP {resp.status}")


def _email(to: str, subject: str, text: str) -> None:
    cfg = settings()
    host = cfg.smtp_host
    if not host:
        raise NotifyError("DUA_ALERT_EMAIL is set but DUA_SMTP_HOST is not")
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = cfg.alert_from
    msg["To"] = to
    msg.set_content(text)
    with smtplib.SMTP(host, cfg.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
        if cfg.smtp_starttls:
            smtp.starttls()
        if cfg.smtp_user:
            smtp.login(cfg.smtp_user, cfg.smtp_password or "")
        smtp.send_message(msg)


def notify(subject: str, text: str) -> list[str]:
    """Send to every configured channel; return the channels that delivered.
    Raise :class:`NotifyError` when a configured channel failed (after trying
    the others)."""
    channels = []
    errors = []
    cfg = settings()
    webhook, email = cfg.alert_webhook, cfg.alert_email
    if not webhook and not email:
        log.info("no DUA_ALERT_WEBHOOK or DUA_ALERT_EMAIL configured, notification not sent: %s", subject)
        return channels
    for name, target, send in (("webhook", webhook, _webhook), ("email", email, _email)):
        if not target:
            continue
        try:
            send(target, subject, text)
            channels.append(name)
        except Exception as exc:  # noqa: BLE001 - every channel is tried
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
    if errors:
        raise NotifyError("notification failed: " + "; ".join(errors))
    log.info("notification sent (%s): %s", ", ".join(channels), subject)
    return channels


def failure_message(context: dict[str, Any]) -> tuple[str, str]:
    """Subject and text of a task failure, identifiers only."""
    ti = context.get("task_instance") or context.get("ti")
    dag_id = getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", "?")
    task_id = getattr(ti, "task_id", "?")
    run_id = getattr(ti, "run_id", None) or context.get("run_id", "?")
    try_number = getattr(ti, "try_number", "?")
    exc = context.get("exception")
    subject = f"[dua] task failed: {dag_id}.{task_id}"
    lines = [
        f"DAG: {dag_id}",
        f"task: {task_id}",
        f"run: {run_id}",
        f"try: {try_number}",
        f"error type: {type(exc).__name__ if exc is not None else 'unknown'}",
        "The task log in Airflow has the details. Clearing the failed task (or the run) reruns it safely.",
    ]
    return subject, "\n".join(lines)


def on_failure_callback(context: dict[str, Any]) -> None:
    """Airflow ``on_failure_callback``: notify, never raise (a broken alert
    channel must not hide the task's own failure)."""
    try:
        subject, text = failure_message(context)
        notify(subject, text)
    except Exception:  # noqa: BLE001
        log.exception("failure notification could not be sent")
