"""The one way tests start threads: each on its own database connection, closed when it ends,
and none left running when the test goes on (a stray thread would hold rows or connections)."""

import threading
from contextlib import contextmanager

from django.db import connection

JOIN_SECONDS = 20


def run_together(jobs, *, join_seconds: float = JOIN_SECONDS) -> dict:
    """Run each job in its own thread, released together by a barrier so that they really race;
    return {index: "ok" | the exception it raised}. Fails if a thread is still running."""
    barrier = threading.Barrier(len(jobs))
    outcomes = {}

    def run(index, job):
        try:
            barrier.wait(timeout=10)
            job()
            outcomes[index] = "ok"
        except Exception as error:  # noqa: BLE001 - every outcome is asserted by the caller
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=join_seconds)
    assert [thread for thread in threads if thread.is_alive()] == []
    return outcomes


@contextmanager
def in_background(job, *, join_seconds: float = 10):
    """Run `job` in a thread while the block runs (to hold a lock, say); joined on leaving the
    block, so the block must first let the job finish (set the event it waits for)."""

    def run():
        try:
            job()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        yield thread
    finally:
        thread.join(timeout=join_seconds)
    assert not thread.is_alive()
