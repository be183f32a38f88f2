"""Demo history for `make run`: a year of slots on the demo's published listings (six months back,
six ahead) and forty demo applicants (no login) whose applications went through offers, refusals,
expiries, approvals and completions, so that the figures and recommendations say something.

Reproducible: one seeded generator, dates relative to today. Rows are written in bulk with their
audit events back-dated to when each move happened (the services stamp "now"). Idempotent: nothing
is added once the first demo history applicant exists.
"""

import random
from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Role, User
from rotations.demo import demo_listing
from rotations.models import Slot

from .models import Application, ApplicationEvent, Status

SEED, APPLICANTS = 2026, 40
LISTINGS = ["Internal Medicine Observership", "Family Medicine Hands-on Externship", "Cardiology Research Rotation",
            "Pediatrics Clinical Elective"]
# Each path: the moves after "submit", with the days each takes.
PATHS = [
    [("review", 2), ("offer", 5), ("accept", 3), ("approve", 2), ("complete", None)],
    [("review", 3), ("offer", 4), ("accept", 2), ("approve", 3)],
    [("review", 1), ("reject", 6)],
    [("offer", 9), ("expire", 7)],
    [("review", 4), ("waitlist", 2)],
    [("offer", 3), ("decline", 2)],
    [],
]
TARGET = {"review": Status.UNDER_REVIEW, "offer": Status.OFFERED, "accept": Status.ACCEPTED, "approve": Status.APPROVED,
          "complete": Status.COMPLETED, "reject": Status.REJECTED, "expire": Status.EXPIRED, "waitlist": Status.WAITLISTED,
          "decline": Status.DECLINED}


def seed_history(*, coordinator: User, admin: User) -> None:
    listings = [listing for title in LISTINGS if (listing := demo_listing(title)) is not None]
    if not listings or User.objects.filter(email="history1@rotamatch.test").exists():
        return
    rng = random.Random(SEED)
    today = timezone.localdate()
    slots = []
    for month in range(-6, 6):
        for listing in listings:
            start = today.replace(day=1) + timedelta(days=30 * month + rng.randint(0, 20))
            slots.append(Slot(listing=listing, start_date=start, capacity=rng.randint(2, 4),
                              end_date=start + timedelta(weeks=listing.duration_weeks, days=-1),
                              application_deadline=start - timedelta(days=21)))
    slots = Slot.objects.bulk_create(slots)
    applicants = [_applicant(n) for n in range(1, APPLICANTS + 1)]
    taken = {slot.pk: 0 for slot in slots}
    applications, moves = [], []
    for applicant in applicants:
        for slot in rng.sample(slots, rng.randint(1, 3)):
            path = rng.choice(PATHS)
            applied = slot.application_deadline - timedelta(days=rng.randint(5, 40))
            if slot.end_date >= today:  # a rotation not over yet is not completed
                path = [move for move in path if move[0] != "complete"]
            holds = any(action == "accept" for action, _ in path)
            if holds and taken[slot.pk] >= slot.capacity:
                path = [("review", 2), ("reject", 3)]
            taken[slot.pk] += any(action == "accept" for action, _ in path)
            at, status, history = applied, Status.SUBMITTED, [("submit", "", Status.SUBMITTED, applied)]
            for action, days in path:
                at = slot.end_date + timedelta(days=1) if days is None else at + timedelta(days=days)
                if at > today:
                    break
                history.append((action, status, TARGET[action], at))
                status = TARGET[action]
            deadline = _moment(at + timedelta(days=7)) if status == Status.OFFERED else None
            applications.append(Application(applicant=applicant, slot=slot, status=status, offer_deadline=deadline,
                                            statement="A demo application."))
            moves.append(history)
    applications = Application.objects.bulk_create(applications)
    events = []
    for application, history in zip(applications, moves, strict=True):
        for action, before, after, day in history:
            by = application.applicant if action in ("submit", "accept", "decline") else (
                admin if action == "approve" else None if action == "expire" else coordinator)
            events.append(ApplicationEvent(application=application, action=action, from_status=before, to_status=after,
                                           by=by))
            events[-1].day = day
    ApplicationEvent.objects.bulk_create(events)
    for event in events:  # back-dated: the figures read when each move happened
        moment = _moment(event.day)
        ApplicationEvent.objects.filter(pk=event.pk).update(at=moment)
        if event.action == "submit":
            Application.objects.filter(pk=event.application_id).update(created_at=moment, status_changed_at=moment)


def _moment(day):
    return timezone.make_aware(datetime.combine(day, time(10)))


def _applicant(n: int) -> User:
    email = f"history{n}@rotamatch.test"
    user = User.objects.create(email=email, role=Role.APPLICANT, first_name="Demo", last_name=f"Applicant {n}")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=20 + 4 * n))
    return user
