"""The deployment, started for real: docker-compose.yml on this machine's
Docker engine, two Celery workers, nobody triggering anything.

Run by ``make deploy-test`` (``DUA_DEPLOY_TEST=1``; skipped otherwise, so
``make test`` needs no Docker).  The steps, each printed with its figure:

1. the project image and the stand-ins of the public images
   (docker/standins/build.sh, only for the images that cannot be pulled);
2. ``up -d --scale airflow-worker=2`` with a fresh ``.env``; time until every
   service is healthy and airflow-init exited 0;
3. generated files moved into the inbox; the watch → ingest → transform chain
   runs on its own; in the middle of the transform run the worker running a
   dbt task is killed (``docker kill``), the task is retried on the other
   worker and the run publishes; time from the files' arrival to publication;
4. task instances ran on both worker containers (REST API, ``hostname``);
5. the published rows equal those of an undisturbed run of the same files
   (``dua run`` in-process on an embedded warehouse, same key);
6. a LOGIN role granted ``dua_bi_reader`` reads ``published`` from the host and
   is refused on ``raw``;
7. the reports server returns ``datakvalitet.html``, and the steering report
   made in the deployment (``docker-compose exec airflow-worker dua report``);
8. ``down -v`` at the end, whatever happened.

Figures go to ``.deploy-test/results.json`` and the test's output.
Network: the stack's own containers and 127.0.0.1 only.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.skipif(
    os.environ.get("DUA_DEPLOY_TEST") != "1", reason="the deployment test runs with make deploy-test"
)

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".deploy-test"
PROJECT = os.environ.get("DUA_DEPLOY_PROJECT", "dua-deploy-test")
BIN = Path(sys.executable).parent
MUNICIPALITIES = "0581,1280"
PERSONS = 120
MONTHS = 6
SEED = 11
RESULTS: dict = {}


def log(msg: str) -> None:
    print(f"[deploy-test {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def figure(name: str, value) -> None:
    RESULTS[name] = value
    log(f"{name}: {value}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def compose(*args: str, check: bool = True, capture: bool = True, timeout: float = 1800) -> str:
    cmd = ["docker-compose", "--project-directory", str(ROOT), "-f", str(ROOT / "docker-compose.yml"),
           "--env-file", str(WORK / ".env"), "-p", PROJECT, *args]
    res = subprocess.run(cmd, cwd=ROOT, text=True, timeout=timeout,
                         stdout=subprocess.PIPE if capture else None, stderr=subprocess.STDOUT if capture else None)
    if check and res.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {res.returncode}:\n{(res.stdout or '')[-4000:]}")
    return res.stdout or ""


def docker(*args: str, check: bool = True) -> str:
    res = subprocess.run(["docker", *args], text=True, capture_output=True, timeout=600)
    if check and res.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} exited {res.returncode}: {res.stderr[-2000:]}")
    return res.stdout


def wait(what: str, check, timeout: float, interval: float = 3.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except (urllib.error.URLError, ConnectionError, TimeoutError, psycopg.OperationalError, KeyError) as exc:
            last = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last error: {last!r})")


class Api:
    """Airflow's REST API as the admin of the simple auth manager."""

    def __init__(self, port: int, user: str, password: str):
        self.base = f"http://127.0.0.1:{port}"
        self.user, self.password = user, password
        self.token: str | None = None

    def _request(self, method: str, path: str, body: dict | None = None, auth: bool = True):
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.login()}"
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    def login(self) -> str:
        if self.token is None:
            self.token = self._request("POST", "/auth/token", {"username": self.user, "password": self.password},
                                       auth=False)["access_token"]
        return self.token

    def get(self, path: str):
        return self._request("GET", path)

    def runs(self, dag_id: str) -> list[dict]:
        return self.get(f"/api/v2/dags/{dag_id}/dagRuns?order_by=-run_after&limit=50")["dag_runs"]

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        return self.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=500")["task_instances"]

    def tries(self, dag_id: str, run_id: str, task_id: str) -> list[dict]:
        return self.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/tries")["task_instances"]


def write_env(inbox: Path) -> dict:
    env = {
        "DUA_PSEUDONYM_KEY": secrets.token_hex(32),
        "DUA_WAREHOUSE_PASSWORD": secrets.token_hex(24),
        "AIRFLOW_DB_PASSWORD": secrets.token_hex(24),
        "AIRFLOW_FERNET_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "AIRFLOW_JWT_SECRET": secrets.token_hex(32),
        "AIRFLOW_ADMIN_USER": "admin",
        "AIRFLOW_ADMIN_PASSWORD": secrets.token_hex(12),
        "DUA_INBOX_DIR": str(inbox),
        "DUA_WAREHOUSE_PUBLISH": f"127.0.0.1:{free_port()}",
        "AIRFLOW_API_PORT": str(free_port()),
        "DUA_REPORTS_PORT": str(free_port()),
        # the test's files are written elsewhere and moved in whole: a short settle time is safe
        "DUA_INBOX_POLL_SECONDS": "5",
        "DUA_INBOX_SETTLE_SECONDS": "5",
        # a killed worker's task is noticed within a minute
        "AIRFLOW_TASK_HEARTBEAT_TIMEOUT": "60",
        "DUA_IMAGE": "dua-platform:deploy-test",
    }
    path = WORK / ".env"
    path.write_text("".join(f"{k}={v}\n" for k, v in env.items()), encoding="utf-8")
    path.chmod(0o600)
    return env


def ca_bundle() -> Path | None:
    for candidate in (os.environ.get("DUA_BUILD_CA_BUNDLE"), os.environ.get("SSL_CERT_FILE"),
                      "/etc/ssl/certs/ca-certificates.crt"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def containers(service: str) -> list[str]:
    return [c for c in compose("ps", "-q", service).split() if c]


def health(cid: str) -> str:
    state = json.loads(docker("inspect", cid))[0]["State"]
    if "Health" in state:
        return state["Health"]["Status"]
    return f"{state['Status']}:{state.get('ExitCode')}"


def export(env_overrides: dict, out: Path) -> list[list[str]]:
    """``dua export`` of ``published.indicator_value``, without the columns that
    name the run (run_id, published_at)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUA_")}
    env.update(env_overrides)
    res = subprocess.run([str(BIN / "dua"), "export", "--out", str(out)], env=env, text=True,
                         capture_output=True, timeout=600)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    lines = out.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(";")
    assert header[-2:] == ["run_id", "published_at"], header
    return [line.split(";")[:-2] for line in lines]


def reference_export(files: Path, key: str) -> list[list[str]]:
    """The same files through ``dua run`` in-process on an embedded warehouse, undisturbed."""
    home = WORK / "reference_home"
    shutil.rmtree(home, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUA_")}
    env.update(DUA_HOME=str(home), DUA_PSEUDONYM_KEY=key)
    res = subprocess.run([str(BIN / "dua"), "run", "--inbox", str(files)], env=env, text=True,
                         capture_output=True, timeout=1200)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return export({"DUA_HOME": str(home), "DUA_PSEUDONYM_KEY": key}, WORK / "reference.csv")


@pytest.fixture(scope="module")
def stack():
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    inbox = WORK / "inbox"
    inbox.mkdir()
    inbox.chmod(0o755)
    env = write_env(inbox)
    t0 = time.monotonic()
    # the project image; behind a TLS-intercepting proxy the host's CA bundle goes into the build
    bundle = ca_bundle()
    ca_copy = ROOT / "docker" / "ca" / "deploy-test.crt"
    if bundle:
        shutil.copyfile(bundle, ca_copy)
    standins = dict(os.environ)
    if bundle:
        standins["DUA_BUILD_CA_BUNDLE"] = str(bundle)
    subprocess.run([str(ROOT / "docker" / "standins" / "build.sh")], check=True, env=standins, timeout=1800)
    figure("standins_s", round(time.monotonic() - t0, 1))
    t1 = time.monotonic()
    try:
        compose("build", capture=False)
    finally:
        ca_copy.unlink(missing_ok=True)
    figure("image_build_s", round(time.monotonic() - t1, 1))
    try:
        t2 = time.monotonic()
        compose("up", "-d", "--scale", "airflow-worker=2", capture=False)

        def healthy():
            states = {}
            for service in ("postgres", "redis", "warehouse", "airflow-apiserver", "airflow-scheduler",
                          "airflow-dag-processor", "airflow-triggerer", "airflow-worker", "reports"):
                for cid in containers(service):
                    states[f"{service}/{cid[:12]}"] = health(cid)
            init = containers("airflow-init")
            if init and health(init[0]).startswith("exited:") and health(init[0]) != "exited:0":
                raise AssertionError("airflow-init failed:\n" + compose("logs", "--tail", "60", "airflow-init"))
            bad = {k: v for k, v in states.items() if v != "healthy"}
            if bad:
                log(f"waiting for health: {bad}")
            return len(containers("airflow-worker")) == 2 and not bad and states

        wait("every service healthy", healthy, 900, interval=10)
        figure("time_until_healthy_s", round(time.monotonic() - t2, 1))
        yield env
    finally:
        (WORK / "compose-logs.txt").write_text(compose("logs", "--no-color", "--tail", "400", check=False),
                                               encoding="utf-8")
        compose("down", "-v", "--remove-orphans", check=False, capture=False)
        (WORK / "results.json").write_text(json.dumps(RESULTS, indent=2), encoding="utf-8")


def test_the_stack_runs_the_pipeline_unattended_and_survives_a_killed_worker(stack):
    env = stack
    api = Api(int(env["AIRFLOW_API_PORT"]), env["AIRFLOW_ADMIN_USER"], env["AIRFLOW_ADMIN_PASSWORD"])
    wh_host, wh_port = env["DUA_WAREHOUSE_PUBLISH"].rsplit(":", 1)
    wh_url = f"postgresql://dua:{env['DUA_WAREHOUSE_PASSWORD']}@{wh_host}:{wh_port}/dua"

    dags = wait("the DAGs parsed", lambda: {d["dag_id"] for d in api.get("/api/v2/dags?limit=100")["dags"]}
                >= {"dua_watch", "dua_ingest", "dua_transform", "dua_alerts"} and True, 300)
    assert dags
    errors = api.get("/api/v2/importErrors")
    assert errors["total_entries"] == 0, errors

    # generated elsewhere, then moved in whole (as an operator's delivery script would)
    files = WORK / "generated"
    subprocess.run([str(BIN / "dua"), "generate", "--out", str(files), "--municipalities", MUNICIPALITIES,
                    "--persons", str(PERSONS), "--months", str(MONTHS), "--seed", str(SEED)], check=True,
                   capture_output=True, timeout=600)
    delivered = sorted(p for p in files.rglob("*") if p.is_file())
    for path in delivered:
        path.chmod(0o644)
    inbox = Path(env["DUA_INBOX_DIR"])
    arrival = time.monotonic()
    shutil.copytree(files, inbox, dirs_exist_ok=True)
    for folder in [inbox, *(p for p in inbox.rglob("*") if p.is_dir())]:
        folder.chmod(0o755)
    figure("files_delivered", len(delivered))

    # nobody triggers anything: dua_watch (every 5 minutes) finds them, dua_ingest loads,
    # the Assets start dua_transform
    def transform_running():
        for run in api.runs("dua_transform"):
            tis = api.task_instances("dua_transform", run["dag_run_id"])
            done = [t for t in tis if t["state"] == "success"]
            running = [t for t in tis if t["state"] == "running" and t["task_id"].startswith("dbt.")]
            # the middle of the run: half of its tasks done, a dbt task running
            if len(done) >= len(tis) // 2 and running:
                return run, running[0]
        return None

    run, victim = wait("a dbt task running in dua_transform", transform_running, 1200, interval=2)
    figure("arrival_to_transform_s", round(time.monotonic() - arrival, 1))
    workers = {cid[:12]: cid for cid in containers("airflow-worker")}
    killed = victim["hostname"]
    assert killed in workers, f"task ran on {killed}, workers are {sorted(workers)}"
    docker("kill", workers[killed])
    log(f"killed worker {killed} while it ran {victim['task_id']} (try {victim['try_number']})")
    RESULTS["killed"] = {"worker": killed, "task": victim["task_id"], "try": victim["try_number"]}

    def finished():
        state = next(r for r in api.runs("dua_transform") if r["dag_run_id"] == run["dag_run_id"])["state"]
        if state == "failed":
            raise AssertionError("dua_transform failed: " + json.dumps(
                [t["task_id"] for t in api.task_instances("dua_transform", run["dag_run_id"])
                 if t["state"] not in ("success", "skipped")]))
        return state == "success"

    wait("dua_transform to finish after the kill", finished, 1800, interval=5)
    with psycopg.connect(wh_url) as conn:
        publications = conn.execute("select count(*) from published.publication").fetchone()[0]
    assert publications >= 1
    figure("arrival_to_publication_s", round(time.monotonic() - arrival, 1))

    # the killed task was retried, on the surviving worker
    tries = api.tries("dua_transform", run["dag_run_id"], victim["task_id"])
    final = max(tries, key=lambda t: t["try_number"])
    assert final["state"] == "success" and final["try_number"] > victim["try_number"], tries
    survivor = set(workers) - {killed}
    figure("killed_task_retried_on", final["hostname"])
    assert final["hostname"] in survivor, f"the retry ran on {final['hostname']}, not on the surviving {survivor}"

    # task instances of the whole chain ran on both worker containers
    hosts: dict[str, int] = {}
    for dag_id in ("dua_ingest", "dua_transform"):
        for r in api.runs(dag_id):
            for t in api.task_instances(dag_id, r["dag_run_id"]):
                if t.get("hostname"):
                    hosts[t["hostname"]] = hosts.get(t["hostname"], 0) + 1
    figure("task_instances_per_worker", hosts)
    assert set(workers) <= set(hosts), f"not every worker ran a task: {hosts}"

    # the published rows are those of an undisturbed run of the same files
    deployed = export({"DUA_WAREHOUSE_URL": wh_url, "DUA_HOME": str(WORK / "export_home")}, WORK / "deployed.csv")
    figure("published_rows", len(deployed) - 1)
    assert len(deployed) > 1, "nothing published"
    reference = reference_export(files, env["DUA_PSEUDONYM_KEY"])
    assert deployed == reference, (
        f"{len(deployed) - 1} published rows differ from the undisturbed run's {len(reference) - 1}")
    figure("same_rows_as_undisturbed_run", True)

    # a BI login: published yes, raw no
    bi_password = secrets.token_hex(12)
    with psycopg.connect(wh_url, autocommit=True) as conn:
        conn.execute(f"create role deploy_test_bi login password '{bi_password}' in role dua_bi_reader")
    bi_url = f"postgresql://deploy_test_bi:{bi_password}@{wh_host}:{wh_port}/dua"
    with psycopg.connect(bi_url) as conn:
        assert conn.execute("select count(*) from published.indicator_value").fetchone()[0] == len(deployed) - 1
    with psycopg.connect(bi_url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("select count(*) from raw.af_status").fetchone()
    figure("bi_role", "reads published, refused on raw")

    # the reports server: the data-quality report the transform wrote, and the steering
    # report made inside the deployment
    reports = f"http://127.0.0.1:{env['DUA_REPORTS_PORT']}"
    with urllib.request.urlopen(f"{reports}/datakvalitet.html", timeout=30) as resp:
        page = resp.read().decode("utf-8")
    assert resp.status == 200 and "<html" in page.lower()
    # (the documented `exec airflow-worker`, on the worker that is still running)
    index = json.loads(docker("inspect", workers[next(iter(survivor))]))[0]["Config"]["Labels"][
        "com.docker.compose.container-number"]
    compose("exec", "-T", "--index", index, "airflow-worker", "dua", "report", "--area", "0581",
            "--out", "/opt/dua/home/reports/styrgrupp_0581.html")
    with urllib.request.urlopen(f"{reports}/styrgrupp_0581.html", timeout=30) as resp:
        assert resp.status == 200 and "0581" in resp.read().decode("utf-8")
    figure("reports", ["datakvalitet.html", "styrgrupp_0581.html"])
