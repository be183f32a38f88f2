"""Demo match rounds for `make run`: one published round whose results page explains to the demo
applicant why the slots they ranked higher went to others, and one open round that the demo
applicant and the demo coordinator can rank in.

The round's slots are dates of their own on the demo's published listings; four demo rankers (no
login) compete with the demo applicant. Everything goes through the services and the engine.
Idempotent: nothing is added once a round of these names exists.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Role, User
from rotations.demo import demo_listing
from rotations.models import Slot

from . import services_rounds as services
from .models_rounds import MatchRound, RoundStatus

PUBLISHED, OPEN = "Autumn electives (demo, published)", "Spring observerships (demo, open for ranking)"


def seed_rounds(*, applicant: User, coordinator: User, admin: User) -> None:
    # The demo coordinator's institution's listing that the demo applicant is eligible for.
    medicine = demo_listing("Internal Medicine Observership")
    if medicine is None or MatchRound.objects.filter(name__in=[PUBLISHED, OPEN]).exists():
        return
    _published_round(applicant, coordinator, admin, medicine)
    _open_round(coordinator, admin, medicine)


def _slot(listing, *, weeks_ahead: int, capacity: int) -> Slot:
    start = timezone.localdate() + timedelta(weeks=weeks_ahead)
    return Slot.objects.create(listing=listing, start_date=start,
                               end_date=start + timedelta(weeks=listing.duration_weeks, days=-1),
                               application_deadline=start - timedelta(days=14), capacity=capacity)


def _ranker(n: int) -> User:
    email = f"ranker{n}@rotamatch.test"
    user, created = User.objects.get_or_create(email=email, defaults={
        "role": Role.APPLICANT, "first_name": "Demo", "last_name": f"Ranker {n}"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _published_round(applicant, coordinator, admin, medicine) -> None:
    """The demo applicant ranks three dates; the first ranks a demo ranker higher, the second does
    not rank the applicant at all; they match the third, and the results page says why not the
    other two."""
    slots = [_slot(medicine, weeks_ahead=30, capacity=1), _slot(medicine, weeks_ahead=36, capacity=1),
             _slot(medicine, weeks_ahead=42, capacity=2)]
    now = timezone.now()
    # Ranked now, then dated as a round whose match ran five days ago.
    match_round = services.round_create(by=admin, name=PUBLISHED, slots=slots, ranking_opens_at=now - timedelta(days=1),
                                        ranking_deadline=now + timedelta(minutes=5), match_at=now + timedelta(minutes=10))
    match_round = services.round_move(match_round=match_round, action="open", by=admin)
    rankers = [_ranker(n) for n in (1, 2, 3)]
    lists = {applicant: slots, rankers[0]: slots[:2], rankers[1]: [slots[1], slots[0]], rankers[2]: [slots[2]]}
    for user, ranked in lists.items():
        services.rank_list_save(match_round=match_round, applicant=user, slot_ids=[s.pk for s in ranked],
                                certify=True, now=now, check_eligibility=user is applicant)
    for slot, ranked in ((slots[0], [rankers[0], applicant, rankers[1]]), (slots[1], [rankers[1], rankers[0]]),
                         (slots[2], [applicant, rankers[2]])):
        services.slot_ranking_save(match_round=match_round, slot=slot, by=coordinator,
                                   applicant_ids=[u.pk for u in ranked], certify=True, now=now)
    MatchRound.objects.filter(pk=match_round.pk).update(
        status=RoundStatus.RANKING_CLOSED, ranking_opens_at=now - timedelta(days=20),
        ranking_deadline=now - timedelta(days=6), match_at=now - timedelta(days=5))
    services.round_run(round_id=match_round.pk, by=admin)
    services.round_move(match_round=match_round, action="publish", by=admin)


def _open_round(coordinator, admin, medicine) -> None:
    now = timezone.now()
    slots = [_slot(medicine, weeks_ahead=44, capacity=2), _slot(medicine, weeks_ahead=48, capacity=2),
             _slot(medicine, weeks_ahead=52, capacity=1)]
    match_round = services.round_create(by=admin, name=OPEN, slots=slots, ranking_opens_at=now - timedelta(days=1),
                                        ranking_deadline=now + timedelta(days=10), match_at=now + timedelta(days=11))
    match_round = services.round_move(match_round=match_round, action="open", by=admin)
    # A demo ranker has ranked already, so the coordinator has someone to rank.
    services.rank_list_save(match_round=match_round, applicant=_ranker(4), slot_ids=[s.pk for s in slots[:2]],
                            certify=True, check_eligibility=False)
