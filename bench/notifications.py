"""Benchmark: 10,000 e-mails through the outbox, real Celery workers and a local SMTP sink.

    .venv/bin/python bench/notifications.py [--count 10000] [--concurrency 2] [--workers 1] [--drop-every N]

Uses the embedded PostgreSQL and Redis of `make run` (or DATABASE_URL / REDIS_URL), in a
database and a queue of its own. Rows are written as requests write them: 100 per transaction,
published on commit. Prints the write rate, e-mails per second delivered, the end-to-end time
from the first write to the last e-mail accepted by the SMTP sink, and the SMTP connections the
workers opened. With --drop-every N the sink cuts every connection off at its N+1st message.
"""

import argparse
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_database  # noqa: E402
from devtools import services  # noqa: E402
from devtools.services import free_port  # noqa: E402


class CountingHandler:
    """Counts accepted e-mails by Message-ID, so a duplicate would show, and the connections."""

    def __init__(self, received, duplicates, connections, drop_every):
        self.seen: set[bytes] = set()
        self.received, self.duplicates, self.connections = received, duplicates, connections
        self.drop_every = drop_every

    async def handle_DATA(self, server, session, envelope):
        if not hasattr(session, "accepted"):
            session.accepted = 0
            self.connections.value += 1
        if self.drop_every and session.accepted == self.drop_every:
            server.transport.close()  # the message is cut off, not accepted
            return "421 Closing"
        session.accepted += 1
        message_id = envelope.content.split(b"Message-ID: ", 1)[1].split(b"\r\n", 1)[0]
        with self.received.get_lock():
            if message_id in self.seen:
                self.duplicates.value += 1
            self.seen.add(message_id)
            self.received.value += 1
        return "250 OK"


def run_sink(port, counters, drop_every, ready):
    """The SMTP sink in a process of its own, as a mail server would be."""
    from aiosmtpd.controller import Controller

    sink = Controller(CountingHandler(*counters, drop_every), hostname="127.0.0.1", port=port)
    sink.start()
    ready.set()
    threading.Event().wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2, help="processes per worker (the machine has 2 cores)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--drop-every", type=int, default=0, help="the sink cuts every connection off after N messages")
    args = parser.parse_args()

    service_env, stoppers = services.up()
    env = {**os.environ, **service_env}
    env.update(DATABASE_URL=fresh_database(env["DATABASE_URL"], "rotamatch_bench"), DJANGO_SETTINGS_MODULE="config.settings.dev",
               DEBUG="false", LOG_LEVEL="WARNING", CELERY_QUEUE="bench")
    port = free_port()
    received, duplicates, connections = (multiprocessing.Value("i", 0) for _ in range(3))
    ready = multiprocessing.Event()
    sink = multiprocessing.Process(target=run_sink, args=(port, (received, duplicates, connections), args.drop_every, ready),
                                   daemon=True)
    sink.start()
    if not ready.wait(10):
        sys.exit("the SMTP sink did not start")
    env["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    os.environ.update(env)
    workers = []
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
        import django

        django.setup()
        from django.db import transaction

        from config.celery import app
        from notifications.models import OutgoingEmail
        from notifications.services import email_enqueue

        for n in range(args.workers):
            workers.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker",
                 "--loglevel=WARNING", f"--concurrency={args.concurrency}", "-n", f"bench{n}@%h",
                 "--without-gossip", "--without-mingle", "--without-heartbeat"],
                cwd=ROOT, env=env, start_new_session=True))
        while len(app.control.ping(timeout=0.5) or []) < args.workers:
            time.sleep(0.2)

        start = time.perf_counter()
        for batch in range(0, args.count, 100):
            with transaction.atomic():  # as a request would: rows in a transaction, publish on commit
                for n in range(batch, min(batch + 100, args.count)):
                    email_enqueue(to=f"person{n}@example.org", kind="bench",
                                  subject=f"Your application {n} changed", text_body="Hello " * 40)
        written = time.perf_counter() - start
        while received.value < args.count:
            time.sleep(0.05)
            if time.perf_counter() - start > 600:
                print("gave up after 600 s", file=sys.stderr)
                return 1
        end_to_end = time.perf_counter() - start
        time.sleep(1)
        unsent = OutgoingEmail.objects.exclude(state="sent").count()
        print(f"e-mails:             {args.count} ({args.workers} worker(s) x {args.concurrency} processes)")
        print(f"written in:          {written:.2f} s ({args.count / written:.0f} rows/s, publish included)")
        print(f"end-to-end:          {end_to_end:.2f} s")
        print(f"delivered:           {args.count / end_to_end:.0f} e-mails/s")
        print(f"duplicates / unsent: {duplicates.value} / {unsent}")
        cut_off = f" (cut off every {args.drop_every} messages)" if args.drop_every else ""
        print(f"SMTP connections:    {connections.value}{cut_off}")
        return 0
    finally:
        for worker in workers:
            os.killpg(worker.pid, 15)
            worker.wait(30)
        sink.terminate()
        for stop in stoppers:
            stop()


if __name__ == "__main__":
    sys.exit(main())
