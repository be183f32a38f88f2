"""Benchmark: listing search with 100,000 listings, under gunicorn, measured with wrk.

    .venv/bin/python bench/search.py [--listings 100000] [--seconds 10] [--connections 4]

Seeds a database of its own (rotamatch_bench_search) on the embedded PostgreSQL of `make run`
(or DATABASE_URL), serves the site with gunicorn (2 sync workers, one per core) and measures, in
the same run, a trivial JSON view (/healthz) and the search page and API with typical filters.
Prints requests per second, p50 and p99 latency, and each one's throughput relative to the
trivial view. Goal: search at least a third of the trivial view's throughput, p99 under 100 ms.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_database  # noqa: E402
from devtools import services  # noqa: E402
from devtools.services import free_port  # noqa: E402

SEED_SQL = """
INSERT INTO institutions_institution (name, kind, address, city, state, zip_code, website, verified_at, created_at)
SELECT 'Hospital ' || n, (ARRAY['academic_hospital','community_hospital','private_practice','clinic'])[1 + n %% 4],
       n || ' Main Street', (ARRAY['Chicago','Houston','Phoenix','Columbus','Miami','Boston','Denver','Seattle'])[1 + n %% 8],
       (ARRAY['IL','TX','AZ','OH','FL','MA','CO','WA'])[1 + n %% 8], '6' || lpad((n %% 10000)::text, 4, '0'), '',
       CASE WHEN n %% 20 = 0 THEN NULL ELSE now() END, now()
FROM generate_series(1, %(institutions)s) AS n;

INSERT INTO rotations_listing (institution_id, title, specialty, rotation_type, setting, city, state, audience,
    visas, requires_step1, requires_step2, required_documents, duration_weeks, fee_usd, fee_covers,
    refund_policy, letter_possible, description, status, return_reason, published_at, created_at, updated_at,
    demo_key, review_count)
SELECT i.id,
       (ARRAY['Internal Medicine','Family Medicine','Pediatrics','Cardiology','Psychiatry','Neurology',
              'General Surgery','Emergency Medicine'])[1 + n %% 8]
         || ' ' || (ARRAY['Observership','Externship','Elective','Research Rotation'])[1 + n %% 4] || ' ' || n,
       (ARRAY['internal_medicine','family_medicine','pediatrics','cardiology','psychiatry','neurology',
              'general_surgery','emergency_medicine'])[1 + n %% 8],
       (ARRAY['observership','externship','elective','research','sub_internship'])[1 + n %% 5],
       (ARRAY['inpatient','outpatient','mixed'])[1 + n %% 3], i.city, i.state,
       (ARRAY['students','graduates','both'])[1 + n %% 3],
       (CASE n %% 3 WHEN 0 THEN ARRAY['b1','b2'] WHEN 1 THEN ARRAY['b1','j1'] ELSE ARRAY['b2','f1'] END)::varchar[],
       n %% 3 = 0, n %% 5 = 0, ARRAY['cv','passport']::varchar[], 1 + n %% 12, (n %% 8) * 500, '', '', n %% 2 = 0,
       'Daily rounds, case presentations and teaching conferences with the team. Rotation ' || n,
       CASE WHEN n %% 10 = 0 THEN 'draft' ELSE 'published' END, '', now() - (n || ' minutes')::interval, now(), now(),
       '', 0
FROM generate_series(1, %(listings)s) AS n
JOIN institutions_institution AS i ON i.id = (SELECT min(id) FROM institutions_institution) + n %% %(institutions)s;

INSERT INTO rotations_slot (listing_id, start_date, end_date, capacity, seats_taken, application_deadline,
    offer_valid_days, created_at)
SELECT l.id, current_date + (30 + (l.id * 7 + k * 40) %% 300)::int, current_date + (30 + (l.id * 7 + k * 40) %% 300)::int + 27,
       (1 + l.id %% 4)::int, (CASE WHEN l.id %% 6 = 0 THEN 1 + l.id %% 4 ELSE 0 END)::int,
       current_date + (30 + (l.id * 7 + k * 40) %% 300)::int - 14, 7, now()
FROM rotations_listing AS l, generate_series(0, 1) AS k;
"""

# Typical searches: a word and a couple of filters, as an applicant would start.
TARGETS = {
    "trivial view (/healthz)": "/healthz",
    "search page: q + specialty + open seats": "/listings/?q=medicine&specialty=internal_medicine&open_only=1",
    "search page: filters, soonest": "/listings/?state=IL&hands_on=1&max_fee=2000&sort=soonest",
    "API: q + visa + letter": "/api/listings/?q=cardiology&visa=j1&letter=1",
    "API: filters, lowest fee": "/api/listings/?audience=graduates&duration=3-4&sort=fee",
}


def seed(env: dict, listings: int) -> float:
    import psycopg2

    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    parts = urlsplit(env["DATABASE_URL"])
    conn = psycopg2.connect(host=parts.hostname, port=parts.port, user=parts.username,
                            password=parts.password, dbname=parts.path.lstrip("/"))
    with conn, conn.cursor() as cur:
        cur.execute(SEED_SQL, {"listings": listings, "institutions": max(1, listings // 200)})
    conn.close()
    subprocess.run([sys.executable, "-c", "import django; django.setup(); "
                    "from rotations.services import listings_refresh_search; listings_refresh_search()"],
                   cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "dbshell", "--", "-c", "VACUUM ANALYZE"], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def wrk(url: str, seconds: int, connections: int) -> tuple[float, float, float]:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non_2xx:
        sys.exit(f"{url}: {non_2xx.group(1)} error responses; is the URL right?\n{out}")
    return rps, _ms(out, "50%"), _ms(out, "99%")


def _ms(out: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    # Two per gunicorn sync worker: more would only measure time spent queueing for a worker.
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    service_env, stoppers = services.up()
    env = {**os.environ, **service_env}
    env.update(DATABASE_URL=fresh_database(env["DATABASE_URL"], "rotamatch_bench_search"),
               DJANGO_SETTINGS_MODULE="config.settings.dev",
               DEBUG="false", LOG_LEVEL="WARNING", ALLOWED_HOSTS="127.0.0.1",
               API_THROTTLE_ANON="1000000/min", API_THROTTLE_USER="1000000/min")
    server = None
    try:
        seconds = seed(env, args.listings)
        print(f"seeded {args.listings} listings with 2 slots each in {seconds:.1f} s")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-w", "2", "-b", f"127.0.0.1:{port}",
             "--log-level", "warning"], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.dev"})
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            if services.port_open(port):
                break
            time.sleep(0.1)
        for path in TARGETS.values():  # warm every worker's connection and caches
            wrk(base + path, 1, 4)
        print(f"\n{'target':<44}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'vs trivial':>12}")
        baseline = None
        for name, path in TARGETS.items():
            rps, p50, p99 = wrk(base + path, args.seconds, args.connections)
            baseline = baseline or rps
            print(f"{name:<44}{rps:>9.0f}{p50:>9.1f}{p99:>9.1f}{rps / baseline:>11.2f}x")
        return 0
    finally:
        if server:
            server.terminate()
            server.wait(10)
        for stop in stoppers:
            stop()


if __name__ == "__main__":
    sys.exit(main())
