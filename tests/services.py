"""Real processes for the several-machines tests (issue 17): a local S3-compatible server (moto's
server mode, on 127.0.0.1 and a free port) and Celery workers started as separate processes,
each with its own empty ``MEDIA_ROOT``, sharing nothing with the test (the web) but PostgreSQL,
Redis and the bucket."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from plie.celery import app

ROOT = Path(__file__).resolve().parents[1]
S3_REGION = "eu-west-3"
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "plie-test", "AWS_SECRET_ACCESS_KEY": "plie-test-secret"}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, *, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"le serveur s'est arrêté (code {process.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"rien n'écoute sur 127.0.0.1:{port}")


@contextmanager
def moto_server():
    """``moto_server`` in its own process on 127.0.0.1; yields its endpoint URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **S3_CREDENTIALS},
    )
    try:
        wait_for_port(port, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def create_bucket(endpoint_url):
    """A new empty bucket on the server; returns its name."""
    import boto3

    name = f"plie-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=S3_REGION,
        aws_access_key_id=S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": S3_REGION})
    return name


def bucket_environment(endpoint_url, bucket):
    """The variables giving a process the bucket (read by ``plie/settings.py``)."""
    return {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint_url,
        "AWS_S3_REGION_NAME": S3_REGION,
        **S3_CREDENTIALS,
    }


def database_url_of_test_db():
    from django.db import connection

    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """One ``celery -A plie worker`` process on ``queue`` running one task at a time (``solo``
    pool, or ``prefork`` with one child: a child killed mid-task is then seen by its parent, which
    requeues the message, ``task_reject_on_worker_lost``), with its own empty ``MEDIA_ROOT`` under
    ``scratch`` and the extra variables ``env``."""

    def __init__(self, name, queue, scratch, env=None, *, pool="solo"):
        self.name = name
        self.hostname = f"{name}-{uuid.uuid4().hex[:6]}@{socket.gethostname()}"
        self.media_root = Path(scratch) / f"media-{name}"
        environ = {
            **os.environ,
            "DATABASE_URL": database_url_of_test_db(),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            **queue_environment(queue),
            "MEDIA_ROOT": str(self.media_root),
            "TMPDIR": str(Path(scratch) / f"tmp-{name}"),
            "PYTHONUNBUFFERED": "1",  # the log is read while the worker runs
            **(env or {}),
        }
        Path(environ["TMPDIR"]).mkdir(parents=True, exist_ok=True)
        self.log = Path(scratch) / f"{name}.log"
        self._log = self.log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "plie", "worker", f"--pool={pool}", "--concurrency=1",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
             "-Q", queue, "-n", self.hostname],
            cwd=ROOT, env=environ, stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    @property
    def pid(self):
        return self.process.pid

    def kill(self):
        """SIGKILL: the worker dies at once, mid-task, without acknowledging anything."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self._log.close()

    def output(self):
        return self.log.read_text()

    def media_files(self):
        return [p for p in self.media_root.rglob("*") if p.is_file()] if self.media_root.exists() else []


@contextmanager
def workers(count, scratch, env=None, *, queue=None, pool="solo"):
    """``count`` workers on a queue of their own; tasks sent by the test go there (not eager).
    Yields the list of :class:`Worker`."""
    queue = queue or f"test-{uuid.uuid4().hex[:8]}"
    started = [Worker(f"w{index}", queue, scratch, env, pool=pool) for index in range(1, count + 1)]
    try:
        with sending_to(queue):
            yield started
    finally:
        for worker in started:
            worker.stop()


def queue_environment(queue):
    """The variables putting every queue of a worker process (default, exports, nightly) on ``queue``."""
    return {"CELERY_QUEUE": queue, "CELERY_QUEUE_EXPORTS": queue, "CELERY_QUEUE_NIGHTLY": queue}


@contextmanager
def sending_to(queue):
    """Tasks sent by the test go to ``queue`` (not eager), whatever their routing kind."""
    from django.test import override_settings

    previous = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        with override_settings(CELERY_QUEUE_EXPORTS=queue, CELERY_QUEUE_NIGHTLY=queue):
            yield
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous


def active_tasks(started):
    """``{task id: (worker, pid of the process running it, task name, args)}`` of the tasks the
    ``started`` workers are running now (Celery's remote control)."""
    replies = app.control.inspect(destination=[w.hostname for w in started], timeout=5).active() or {}
    by_hostname = {w.hostname: w for w in started}
    return {
        task["id"]: (by_hostname[hostname], task["worker_pid"], task["name"], task["args"])
        for hostname, tasks in replies.items()
        for task in tasks
    }


def wait_until(condition, *, timeout=90, interval=0.2, message="condition jamais remplie"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(interval)
    raise AssertionError(message)
