"""Helpers shared by the benchmarks: a free port, and a fresh database of the bench's own."""

import socket
from urllib.parse import urlsplit, urlunsplit


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(url: str, name: str) -> str:
    """Drop and create database `name` on the server of `url`; return the URL that points at it."""
    import psycopg2

    parts = urlsplit(url)
    conn = psycopg2.connect(host=parts.hostname, port=parts.port, user=parts.username,
                            password=parts.password, dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return urlunsplit(parts._replace(path=f"/{name}"))
