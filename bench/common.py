"""Helpers shared by the benchmarks: a fresh database of the bench's own."""

from urllib.parse import urlsplit, urlunsplit


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
