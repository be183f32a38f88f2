"""Benchmark: the recommendations page's work for many different applicants, over 100,000 listings.

    .venv/bin/python bench/recommendations.py [--listings 100000] [--profiles 200] [--seed 11]

Seeds the listings as bench/search.py does (in a database of its own, on the embedded PostgreSQL
of `make run` or DATABASE_URL), then builds `--profiles` applicants from a seeded generator
(stage, visa, exams, specialties, states, budget, availability, target Match year, documents)
and, for each, does what the page does: count the candidates and fetch the first page, scored and
ordered in the database, with the words for each result. Prints queries per page (constant)
and p50 / p95 / p99 / max wall per page.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_database  # noqa: E402
from bench.search import seed  # noqa: E402
from devtools import services  # noqa: E402

SPECIALTIES = ["internal_medicine", "family_medicine", "pediatrics", "cardiology", "psychiatry", "neurology",
               "general_surgery", "emergency_medicine"]
STATES = ["IL", "TX", "AZ", "OH", "FL", "MA", "CO", "WA", "NY", "CA"]


def profiles(count: int, rng: random.Random):
    from django.utils import timezone

    from accounts.models import Role, User
    from applicants.models import Document, Profile

    today = timezone.localdate()
    made = []
    for n in range(count):
        user = User.objects.create(email=f"reco{n}@example.org", role=Role.APPLICANT)
        start = today + timedelta(days=rng.randint(0, 120))
        profile = Profile.objects.create(
            user=user, legal_name=f"Applicant {n}", citizenship="IN", medical_school="School", school_country="IN",
            stage=rng.choice(["student", "graduate"]), graduation_year=2024, visa_status=rng.choice(["b1", "b2", "j1", "f1"]),
            step1_status=rng.choice(["passed", "not_taken"]), step2_status=rng.choice(["passed", "not_taken"]),
            step2_score=rng.choice([None, 230, 250]), specialties=rng.sample(SPECIALTIES, rng.randint(0, 3)),
            preferred_states=rng.sample(STATES, rng.randint(0, 3)), budget_usd=rng.choice([None, 1000, 2500, 4000]),
            available_from=rng.choice([None, start]), available_until=rng.choice([None, start + timedelta(days=200)]),
            target_match_year=rng.choice([None, today.year + 1, today.year + 2]))
        for kind in rng.sample(["cv", "passport", "immunization"], rng.randint(0, 3)):
            Document.objects.create(applicant=user, kind=kind, file=f"bench/{n}-{kind}", original_name="x.pdf",
                                    content_type="application/pdf", size=1, status="verified",
                                    expires_on=today + timedelta(days=rng.randint(30, 600)) if kind != "cv" else None)
        made.append((profile, list(Document.objects.filter(applicant=user))))
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--profiles", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    service_env, stoppers = services.up()
    try:
        env = {**os.environ, **service_env}
        env.update(DATABASE_URL=fresh_database(env["DATABASE_URL"], "rotamatch_bench_reco"),
                   DJANGO_SETTINGS_MODULE="config.settings.dev", DEBUG="false", LOG_LEVEL="WARNING")
        print(f"seeded {args.listings:,} listings with 2 slots each in {seed(env, args.listings):.1f} s")
        os.environ.update(env)
        import django

        django.setup()
        from django.conf import settings
        from django.core.paginator import Paginator
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from matching.recommend import explain, ranked, slots_of

        rng = random.Random(args.seed)
        walls, queries, counts = [], set(), []
        for profile, documents in profiles(args.profiles, rng):
            within = rng.random() < 0.3
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                page = Paginator(ranked(profile, documents, within_budget=within),
                                 settings.RECOMMENDATIONS_PER_PAGE).get_page(rng.choice([1, 1, 1, 2, 3]))
                [explain(slot, profile, documents) for slot in slots_of(page)]
                walls.append((time.perf_counter() - start) * 1000)
            queries.add(len(captured))
            counts.append(page.paginator.count)
        walls.sort()
        print(f"{args.profiles} different applicants; candidates per applicant: median {statistics.median(counts):,.0f}, "
              f"max {max(counts):,}")
        print(f"queries per page: {sorted(queries)}")
        print(f"page work (ms): p50 {walls[len(walls) // 2]:.0f}, p95 {walls[int(len(walls) * 0.95)]:.0f}, "
              f"p99 {walls[int(len(walls) * 0.99)]:.0f}, max {walls[-1]:.0f}")
    finally:
        for stop in stoppers:
            stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
