"""Benchmark: a match round of 20,000 applicants and 2,500 slots, from PostgreSQL and back.

    .venv/bin/python bench/round.py [--applicants 20000] [--slots 2500] [--seed 7]

Uses the embedded PostgreSQL and Redis of `make run` (or DATABASE_URL / REDIS_URL), in a
database of its own. Builds the round with bulk inserts (not measured): applicants with certified
rank lists of 10-12 slots, popularity skewed as real demand is, and every slot's certified
ranking of the applicants who ranked it. Then measures what the admin's two buttons do: the run
(load the lists, run the engine, store the result) and the publication (the placements, their
audit events and everyone's notifications), and counts the queries of each, which must not grow
with the round's size. Goal: at most 30 s end to end.
"""

import argparse
import os
import random
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fresh_database  # noqa: E402
from devtools import services  # noqa: E402


def build(applicants: int, slot_count: int, seed: int):
    """The round, ready to run: ranking closed, every list certified."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import Role, User
    from institutions.models import Institution
    from matching.models import MatchRound, RankEntry, RankList, RoundStatus, SlotRankEntry, SlotRanking
    from rotations.models import Listing, Slot

    rng = random.Random(seed)
    now, today = timezone.now(), timezone.localdate()
    institution = Institution.objects.create(name="Bench Hospital", city="Columbus", state="OH",
                                             verified_at=now, kind=Institution.Kind.COMMUNITY_HOSPITAL)
    listings = Listing.objects.bulk_create(
        Listing(institution=institution, title=f"Rotation {n}", specialty="internal_medicine",
                rotation_type="observership", setting="inpatient", city="Columbus", state="OH", audience="both",
                duration_weeks=4, description="Bench.", status="published") for n in range(50))
    slots = Slot.objects.bulk_create(
        Slot(listing=listings[n % 50], start_date=today + timedelta(days=90 + n % 200),
             end_date=today + timedelta(days=117 + n % 200), application_deadline=today + timedelta(days=60),
             capacity=rng.choice((1, 2, 3, 4))) for n in range(slot_count))
    password = make_password(None)
    users = User.objects.bulk_create(
        (User(email=f"bench{n}@example.org", role=Role.APPLICANT, first_name="Bench", last_name=str(n), password=password)
         for n in range(applicants)), batch_size=5000)
    admin = User.objects.create(email="bench-admin@example.org", role=Role.ADMIN, is_staff=True, password=password)
    match_round = MatchRound.objects.create(name="Bench round", status=RoundStatus.RANKING_CLOSED,
                                            ranking_opens_at=now - timedelta(days=9),
                                            ranking_deadline=now - timedelta(days=2), match_at=now - timedelta(days=1))
    match_round.slots.add(*slots)
    # Popularity skewed as real demand is: a few slots are wanted by many (Zipf-like weights).
    weights = [1 / (rank + 1) ** 0.8 for rank in range(slot_count)]
    lists = RankList.objects.bulk_create((RankList(round=match_round, applicant=user, certified_at=now) for user in users),
                                         batch_size=5000)
    entries, rankers = [], {slot.pk: [] for slot in slots}
    for rank_list in lists:
        chosen = []
        while len(chosen) < rng.randint(10, 12):
            slot = slots[rng.choices(range(slot_count), weights)[0]]
            if slot not in chosen:
                chosen.append(slot)
        for position, slot in enumerate(chosen, start=1):
            entries.append(RankEntry(rank_list=rank_list, slot=slot, position=position))
            rankers[slot.pk].append(rank_list.applicant_id)
    RankEntry.objects.bulk_create(entries, batch_size=10_000)
    rankings = SlotRanking.objects.bulk_create((SlotRanking(round=match_round, slot=slot, certified_at=now)
                                                for slot in slots), batch_size=5000)
    slot_entries = []
    for ranking in rankings:
        ranked = rankers[ranking.slot_id][:]
        rng.shuffle(ranked)
        kept = ranked[:max(1, int(len(ranked) * 0.9))]  # hosts leave some off: not acceptable to them
        slot_entries += [SlotRankEntry(ranking=ranking, applicant_id=a, position=n) for n, a in enumerate(kept, start=1)]
    SlotRankEntry.objects.bulk_create(slot_entries, batch_size=10_000)
    return match_round, admin, len(entries), len(slot_entries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=20_000)
    parser.add_argument("--slots", type=int, default=2_500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    service_env, stoppers = services.up()
    try:
        env = {**os.environ, **service_env}
        env.update(DATABASE_URL=fresh_database(env["DATABASE_URL"], "rotamatch_bench_round"),
                   DJANGO_SETTINGS_MODULE="config.settings.dev", DEBUG="false", LOG_LEVEL="WARNING",
                   CELERY_QUEUE="bench")
        os.environ.update(env)
        subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
        import django

        django.setup()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from matching.models import Application, RoundMatch
        from matching.services_rounds import round_move, round_run

        started = time.perf_counter()
        match_round, admin, ranks, host_ranks = build(args.applicants, args.slots, args.seed)
        print(f"built: {args.applicants:,} applicants, {args.slots:,} slots, {ranks:,} applicant ranks, "
              f"{host_ranks:,} host ranks in {time.perf_counter() - started:.1f} s (not measured)")

        with CaptureQueriesContext(connection) as run_queries:
            start = time.perf_counter()
            round_run(round_id=match_round.pk, by=admin)
            run_wall = time.perf_counter() - start
        with CaptureQueriesContext(connection) as publish_queries:
            start = time.perf_counter()
            round_move(match_round=match_round, action="publish", by=admin)
            publish_wall = time.perf_counter() - start
        matched = RoundMatch.objects.filter(round=match_round, slot__isnull=False).count()
        placements = Application.objects.filter(match_round=match_round).count()
        print(f"run (load, engine, store): {run_wall:6.2f} s, {len(run_queries)} queries")
        print(f"publish (placements, events, notifications): {publish_wall:6.2f} s, {len(publish_queries)} queries")
        print(f"matched {matched:,} of {args.applicants:,} applicants; {placements:,} placements written")
        total = run_wall + publish_wall
        print(f"end to end: {total:.2f} s (goal: at most 30 s) -> {'met' if total <= 30 else 'NOT met'}")
    finally:
        for stop in stoppers:
            stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
