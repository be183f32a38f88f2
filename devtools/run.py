"""`make run`: embedded services, migrations, demo data, then web + Celery worker + beat.

Ctrl-C stops every process this started, the embedded PostgreSQL and Redis included.
"""

import os
import signal
import subprocess
import sys
import time

from devtools import services

PY = sys.executable
PROCESSES = {
    "web": [PY, "manage.py", "runserver", "127.0.0.1:8000"],
    "worker": [PY, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", "--concurrency=2"],
    "beat": [PY, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
             "--schedule", str(services.STATE / "celerybeat-schedule")],
}


def main() -> int:
    env_vars, stoppers = services.up()
    env = {**os.environ, **env_vars, "DJANGO_SETTINGS_MODULE": "config.settings.dev",
           "PYTHONUNBUFFERED": "1"}
    children: list[subprocess.Popen] = []
    try:
        subprocess.run([PY, "manage.py", "migrate", "--no-input"], env=env, check=True)
        subprocess.run([PY, "manage.py", "seed_demo"], env=env, check=True)
        for name, cmd in PROCESSES.items():
            children.append(subprocess.Popen(cmd, env=env, start_new_session=True))
        print("\nRotamatch runs at http://127.0.0.1:8000  (Ctrl-C stops everything)\n", flush=True)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("A process stopped; stopping the others.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(children)
        for stop in stoppers:
            stop()


def _stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
