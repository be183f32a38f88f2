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


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    # Ctrl-C and a plain `kill` both stop everything; set explicitly because a shell that starts
    # this in the background hands it SIGINT already ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    children: list[subprocess.Popen] = []
    stoppers: list = []
    try:
        env_vars, stoppers = services.up()
        env = {**os.environ, **env_vars, "DJANGO_SETTINGS_MODULE": "config.settings.dev",
               "PYTHONUNBUFFERED": "1"}
        subprocess.run([PY, "manage.py", "migrate", "--no-input"], env=env, check=True)
        logins = subprocess.run([PY, "manage.py", "seed_demo"], env=env, check=True,
                                capture_output=True, text=True).stdout
        for cmd in PROCESSES.values():
            children.append(subprocess.Popen(cmd, env=env, start_new_session=True))
        _wait_for_web()
        mail = ("E-mails go to " + os.environ["EMAIL_URL"] if os.environ.get("EMAIL_URL")
                else f"E-mails are written to {services.STATE / 'mail'}/")
        print(f"\n{logins}\nRotamatch runs at http://127.0.0.1:8000  (Ctrl-C stops everything)\n"
              f"{mail}\n", flush=True)
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


def _wait_for_web(seconds: float = 30) -> None:
    """Print the banner once the site answers, below the start-up noise of the processes."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not services.port_open(8000):
        time.sleep(0.2)
    time.sleep(1.5)


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
