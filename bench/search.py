"""Benchmark: listing search with 100,000 listings under varied traffic, gunicorn, measured by wrk.

    .venv/bin/python bench/search.py [--seed 2026] [--listings 100000] [--seconds 10] [--connections 4]

Needs wrk (`apt-get install wrk`). Seeds a database of its own (rotamatch_bench_search) on the
embedded PostgreSQL of `make run` (or DATABASE_URL), serves the site with gunicorn (2 sync
workers, one per core) and measures in one run the trivial JSON view (/healthz) and then
thousands of distinct searches from a seeded generator (words, filters, sorts and pages mixed as
applicants mix them): the search page anonymous, the same signed in (sessions of 50 applicants),
and the API; last, one URL repeated, which only shows the anonymous cache. Each line prints
requests per second, p50 and p99 latency and its throughput relative to the trivial view.
Goal: varied search at least 0.2x the trivial view, p99 under 60 ms, anonymous and signed in.
"""

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_database  # noqa: E402
from devtools import services  # noqa: E402
from devtools.services import free_port  # noqa: E402

# Every attribute drawn from its own hash of the row number, so that no two are correlated (a
# specialty that always came with one type, say, would make most filter mixes match nothing).
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
    demo_key, review_count, review_average)
SELECT i.id,
       (ARRAY['Internal Medicine','Family Medicine','Pediatrics','Cardiology','Psychiatry','Neurology',
              'General Surgery','Emergency Medicine'])[g.specialty]
         || ' ' || (ARRAY['Observership','Externship','Elective','Research Rotation','Sub-Internship'])[g.type]
         || ' ' || g.n,
       (ARRAY['internal_medicine','family_medicine','pediatrics','cardiology','psychiatry','neurology',
              'general_surgery','emergency_medicine'])[g.specialty],
       (ARRAY['observership','externship','elective','research','sub_internship'])[g.type],
       (ARRAY['inpatient','outpatient','mixed'])[1 + g.h[1] %% 3], i.city, i.state,
       (ARRAY['students','graduates','both'])[1 + g.h[2] %% 3],
       (CASE g.h[3] %% 4 WHEN 0 THEN ARRAY['b1','b2'] WHEN 1 THEN ARRAY['b1','j1'] WHEN 2 THEN ARRAY['b2','f1']
        ELSE ARRAY[]::text[] END)::varchar[],
       g.h[4] %% 3 = 0, g.h[4] %% 5 = 0, ARRAY['cv','passport']::varchar[], 1 + g.h[5] %% 12, (g.h[6] %% 9) * 500,
       '', '', g.h[7] %% 2 = 0,
       (ARRAY['Daily rounds, case presentations and teaching conferences with the team.',
              'Outpatient clinics with attending physicians and a weekly journal club.',
              'Chart reviews, research projects and grand rounds.',
              'Bedside teaching on the wards and morning report with the residents.'])[1 + g.h[8] %% 4]
         || ' Rotation ' || g.n,
       CASE WHEN g.h[9] %% 10 = 0 THEN 'draft' ELSE 'published' END, '', now() - (g.n || ' minutes')::interval,
       now(), now(), '', g.h[10] %% 7, CASE WHEN g.h[10] %% 7 > 0 THEN 3 + (g.h[11] %% 21) / 10.0 END
FROM (SELECT n, 1 + abs(0::bigint + hashint4(n * 13 + 1)) %% 8 AS specialty,
             1 + abs(0::bigint + hashint4(n * 13 + 2)) %% 5 AS type,
             ARRAY(SELECT abs(0::bigint + hashint4(n * 13 + 3 + k)) FROM generate_series(0, 10) AS k) AS h
      FROM generate_series(1, %(listings)s) AS n) AS g
JOIN institutions_institution AS i
  ON i.id = (SELECT min(id) FROM institutions_institution) + abs(0::bigint + hashint4(g.n)) %% %(institutions)s;

INSERT INTO rotations_slot (listing_id, start_date, end_date, capacity, seats_taken, application_deadline,
    offer_valid_days, created_at)
SELECT l.id, current_date + s.offset_days, current_date + s.offset_days + 27, s.capacity,
       CASE WHEN abs(0::bigint + hashint8(l.id * 7 + k)) %% 6 = 0 THEN s.capacity ELSE 0 END,
       current_date + s.offset_days - 14, 7, now()
FROM rotations_listing AS l, generate_series(0, 1) AS k,
     LATERAL (SELECT (30 + abs(0::bigint + hashint8(l.id * 2 + k)) %% 300)::int AS offset_days,
                     (1 + abs(0::bigint + hashint8(l.id * 3 + k)) %% 4)::int AS capacity) AS s;
"""

# The single URL of earlier versions, kept as one more line: after its first answer every
# anonymous request is a cache hit, so it shows the cache, not the search.
ONE_URL = "/listings/?q=medicine&specialty=internal_medicine&open_only=1"

# What applicants type: specialties and their first letters, kinds of rotation, cities, words of
# the descriptions, two-word phrases, and now and then a word that matches nothing.
WORDS = ["medicine", "internal medicine", "family", "pediatrics", "cardiology", "cardio", "psych", "psychiatry",
         "neurology", "neuro", "surgery", "general surgery", "emergency", "emerg", "observership", "externship",
         "elective", "research", "research rotation", "chicago", "houston", "phoenix", "columbus", "miami",
         "boston", "denver", "seattle", "hospital", "teaching", "rounds", "case presentations", "conferences",
         "daily rounds", "team", "pediatrics elective", "cardiology observership", "surgery externship",
         "dermatology", "oncology", "\"internal medicine\"", "medicine -surgery", "cardiology or neurology"]
SPECIALTIES = ["internal_medicine", "family_medicine", "pediatrics", "cardiology", "psychiatry", "neurology",
               "general_surgery", "emergency_medicine", "dermatology", "radiology"]
STATES = ["IL", "TX", "AZ", "OH", "FL", "MA", "CO", "WA", "NY", "CA"]
TYPES = ["observership", "externship", "elective", "research", "sub_internship"]


def search_queries(rng: random.Random, count: int, *, api: bool = False) -> list[str]:
    """`count` distinct search URLs, as applicants mix them: mostly a filter or two, often words,
    a sort now and then, and pages 2 to 5 (on the page only: the API answers 404 past its last
    page, and a page past the last of few results is a different answer, not a slower one)."""
    base = "/api/listings/" if api else "/listings/"
    seen, queries = set(), []
    while len(queries) < count:
        params = {}
        if rng.random() < 0.5:
            params["q"] = rng.choice(WORDS)
        for name, chance, values in [
            ("specialty", 0.35, SPECIALTIES), ("state", 0.3, STATES), ("type", 0.15, TYPES),
            ("audience", 0.15, ["students", "graduates"]), ("visa", 0.15, ["b1", "b2", "j1", "f1", "h1b"]),
            ("duration", 0.15, ["1-2", "3-4", "5-8", "9+"]),
            ("max_fee", 0.2, [str(n * 250) for n in range(0, 17)]),
            ("start_month", 0.1, [f"{2027 + m // 12}-{1 + m % 12:02d}" for m in range(12)]),
        ]:
            if rng.random() < chance:
                params[name] = rng.choice(values)
        for flag, chance in [("open_only", 0.3), ("hands_on", 0.15), ("free", 0.08), ("letter", 0.15),
                             ("rated", 0.05)]:
            if rng.random() < chance:
                params[flag] = "1"
        if rng.random() < 0.35:
            params["sort"] = rng.choice(["relevance", "soonest", "fee", "rated"])
        if not api and rng.random() < 0.4:
            params["page"] = str(rng.randint(2, 5))
        url = f"{base}?{urlencode(params)}"
        if url not in seen:
            seen.add(url)
            queries.append(url)
    return queries


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
    # Seeding writes each listing four times (insert, its document, a trigger per slot): compact
    # the tables as autovacuum's reuse of space would keep them, or every scan reads the dead rows.
    conn = psycopg2.connect(host=parts.hostname, port=parts.port, user=parts.username,
                            password=parts.password, dbname=parts.path.lstrip("/"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM (FULL, ANALYZE) rotations_listing, rotations_slot")
        cur.execute("VACUUM ANALYZE")
    conn.close()
    return time.perf_counter() - started


SESSIONS_PY = """
import django; django.setup()
from allauth.account.models import EmailAddress
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from accounts.models import Role, User
for n in range({count}):
    user = User.objects.create_user(email=f"bench{{n}}@example.org", password=None, role=Role.APPLICANT,
                                    first_name="Bench", last_name=str(n))
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    session = SessionStore()
    session.update({{SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash()}})
    session.create()
    print(session.session_key)
"""


def signed_in_cookies(env: dict, count: int) -> list[str]:
    """Session cookies of `count` applicants, made as a sign-in would make them."""
    out = subprocess.run([sys.executable, "-c", SESSIONS_PY.format(count=count)], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    return [f"sessionid={key}" for key in out.split()]


THREADS = 2  # wrk threads: the bench machine has two cores, shared with the server

# Each wrk thread walks its own share of the URLs (thread k takes k, k + threads, ...), each
# request with the next session cookie, if any: no URL is asked twice until all were asked.
WRK_SCRIPT = """
local paths, cookies, n, step = {}, {}, 0, 1
local threads = 0
function setup(thread)
  thread:set("first", threads)
  threads = threads + 1
end
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  for line in io.lines(args[2]) do cookies[#cookies + 1] = line end
  n, step = first, tonumber(args[3])
end
function request()
  local headers = {}
  if #cookies > 0 then headers["Cookie"] = cookies[(n % #cookies) + 1] end
  local path = paths[(n % #paths) + 1]
  n = n + step
  return wrk.format("GET", path, headers)
end
"""


def wrk(base: str, paths: list[str], seconds: int, connections: int, cookies=()) -> tuple[float, float, float, int]:
    """Requests per second, p50 and p99 in ms, and how many requests were made."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / "paths").write_text("\n".join(paths) + "\n")
        (folder / "cookies").write_text("".join(f"{cookie}\n" for cookie in cookies))
        (folder / "walk.lua").write_text(WRK_SCRIPT)
        out = subprocess.run(["wrk", f"-t{THREADS}", f"-c{connections}", f"-d{seconds}s", "--latency",
                              "-s", str(folder / "walk.lua"), base, "--", str(folder / "paths"),
                              str(folder / "cookies"), str(THREADS)],
                             capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non_2xx:
        sys.exit(f"{non_2xx.group(1)} error responses among {paths[:3]}...\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, _ms(out, "50%"), _ms(out, "99%"), requests


def _ms(out: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    # Two per gunicorn sync worker: more would only measure time spent queueing for a worker.
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--queries", type=int, default=8000, help="distinct URLs per line of the table")
    parser.add_argument("--seed", type=int, default=2026, help="another seed, other searches")
    parser.add_argument("--users", type=int, default=50, help="signed-in applicants, one session each")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    rng = random.Random(args.seed)
    pages = search_queries(rng, 3 * args.queries)
    warm, anonymous, signed_in = pages[:args.queries], pages[args.queries:2 * args.queries], pages[2 * args.queries:]
    api = search_queries(rng, args.queries, api=True)

    service_env, stoppers = services.up()
    env = {**os.environ, **service_env}
    env.update(DATABASE_URL=fresh_database(env["DATABASE_URL"], "rotamatch_bench_search"),
               DJANGO_SETTINGS_MODULE="config.settings.dev",
               DEBUG="false", LOG_LEVEL="WARNING", ALLOWED_HOSTS="127.0.0.1",
               # Throttled as ever, never refused: DRF keeps each client's request times over the
               # window, so a minute's window would unpickle and pickle tens of thousands of them per
               # request (a site's 60 a minute keep a few dozen); a second's keeps a few hundred.
               API_THROTTLE_ANON="1000000/s", API_THROTTLE_USER="1000000/s")
    server = None
    try:
        seconds = seed(env, args.listings)
        print(f"seeded {args.listings} listings with 2 slots each in {seconds:.1f} s")
        cookies = signed_in_cookies(env, args.users)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-w", "2", "-b", f"127.0.0.1:{port}",
             "--log-level", "warning"], cwd=ROOT, env=env)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            if services.port_open(port):
                break
            time.sleep(0.1)
        _check_signed_in(base, cookies[0])
        # Warm every worker (connections, templates, PostgreSQL's buffers) on searches of their own.
        wrk(base, warm, 3, args.connections)
        wrk(base, warm[::-1], 2, args.connections, cookies)
        targets = [
            ("trivial view (/healthz)", ["/healthz"], ()),
            ("search page, anonymous", anonymous, ()),
            ("search page, signed in", signed_in, cookies),
            ("API, anonymous", api, ()),
            ("one URL repeated (anonymous cache)", [ONE_URL], ()),
        ]
        print(f"seed {args.seed}: {args.queries} distinct searches per line, {args.connections} connections, "
              f"2 gunicorn workers, {args.seconds} s each\n")
        print(f"{'target':<38}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'vs trivial':>12}{'distinct':>10}")
        baseline = None
        for name, paths, target_cookies in targets:
            rps, p50, p99, requests = wrk(base, paths, args.seconds, args.connections, target_cookies)
            baseline = baseline or rps
            distinct = f"{min(1.0, len(paths) / requests):.0%}"
            print(f"{name:<38}{rps:>8.0f}{p50:>9.1f}{p99:>9.1f}{rps / baseline:>11.3f}x{distinct:>10}")
        print("\ndistinct: the share of requests that were a URL's first sighting (no cache can answer it)")
        return 0
    finally:
        if server:
            server.terminate()
            server.wait(10)
        for stop in stoppers:
            stop()


def _check_signed_in(base: str, cookie: str) -> None:
    """The signed-in line must measure signed-in pages: the session has to hold."""
    request = urllib.request.Request(base + "/listings/", headers={"Cookie": cookie})
    with urllib.request.urlopen(request) as response:
        if b"Sign out" not in response.read():
            sys.exit("the bench's session cookie did not sign in")


if __name__ == "__main__":
    sys.exit(main())
