"""Reminders of reviews and evaluations, each sent once (`remind_once`): the applicant's invitation
to review and the reminder a week before the window closes; the preceptors' request to evaluate at
the rotation's last week and a weekly reminder until it is in or the window closes; the reveal
when the seal's days are over."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from matching.models import Application, Status
from notifications import kinds
from notifications.reminders import remind_once, reminder
from notifications.services import notify

from . import policies
from .models import Evaluation, LetterRequest, LetterStatus, Review
from .services import placement_hosts, placement_reveal
from .services_letters import letter_author_remind

REVIEW_CLOSING_AHEAD = timedelta(days=7)


def _placements():
    return Application.objects.select_related("slot__listing__institution", "applicant").annotate(
        reviewed=Exists(Review.objects.filter(application=OuterRef("pk"))),
        evaluated=Exists(Evaluation.objects.filter(application=OuterRef("pk"))))


@reminder
def reviews_to_write() -> int:
    today, sent = timezone.localdate(), 0
    window = timedelta(days=settings.REVIEW_WINDOW_DAYS)
    for application in _placements().filter(status=Status.COMPLETED, reviewed=False,
                                            slot__end_date__gte=today - window):
        closes = policies.review_closes(application)
        stage = "closing" if today >= closes - REVIEW_CLOSING_AHEAD else "invite"
        kind = kinds.REVIEW_REMINDER if stage == "closing" else kinds.REVIEW_INVITATION
        sent += remind_once(key=f"review:{application.pk}", stage=stage, send=lambda a=application, k=kind, c=closes: notify(
            user=a.applicant, kind=k, context={"listing": a.slot.listing, "closes": c},
            url=reverse("preceptors:review", args=[a.pk])))
    return sent


@reminder
def evaluations_to_write() -> int:
    today, sent = timezone.localdate(), 0
    opens_ahead = timedelta(days=settings.EVALUATION_OPENS_DAYS_BEFORE_END)
    window = timedelta(days=settings.EVALUATION_WINDOW_DAYS)
    due = _placements().filter(status__in=[Status.APPROVED, Status.COMPLETED], evaluated=False,
                               slot__end_date__lte=today + opens_ahead, slot__end_date__gte=today - window)
    for application in due:
        week = (today - policies.evaluation_opens(application)).days // 7
        kind = kinds.EVALUATION_REMINDER if week else kinds.EVALUATION_REQUEST
        for user in placement_hosts(application):
            sent += remind_once(key=f"evaluation:{application.pk}:{user.pk}", stage=f"week-{week}",
                                send=lambda a=application, u=user, k=kind: _ask(a, u, k))
    return sent


def _ask(application, user, kind) -> None:
    notify(user=user, kind=kind, context={
        "listing": application.slot.listing, "slot": application.slot, "closes": policies.evaluation_closes(application),
        "applicant_name": application.applicant.get_full_name() or application.applicant.email},
        url=reverse("preceptors:evaluate", args=[application.pk]))


@reminder
def seals_ended() -> int:
    """Placements whose seal ended by time with one side in: both are told, and the listing's
    figures now count the review."""
    today = timezone.localdate()
    seal = timedelta(days=settings.REVIEW_SEAL_DAYS)
    ended = _placements().filter(slot__end_date__lte=today - seal,
                                 slot__end_date__gte=today - seal - timedelta(days=settings.REVIEW_WINDOW_DAYS))
    return sum(placement_reveal(application=a) for a in ended.filter(Q(reviewed=True) | Q(evaluated=True)))


# Letters of recommendation: the author is reminded on the days of `LETTER_REMINDER_DAYS` after
# the request while the letter is awaited and the link works (the latest due day only, if beat
# was down); the applicant hears once per link when it is about to expire unused.

@reminder
def letters_to_write() -> int:
    now, sent = timezone.now(), 0
    days = sorted(settings.LETTER_REMINDER_DAYS)
    if not days:
        return 0
    awaited = LetterRequest.objects.select_related("applicant").filter(
        status=LetterStatus.REQUESTED, link_expires_at__gt=now, created_at__lte=now - timedelta(days=days[0]))
    for letter in awaited:
        due = max(d for d in days if letter.created_at <= now - timedelta(days=d))
        sent += remind_once(key=f"letter:{letter.pk}", stage=f"day-{due}",
                            send=lambda letter=letter: letter_author_remind(letter=letter))
    return sent


@reminder
def letter_links_expiring() -> int:
    now, sent = timezone.now(), 0
    ahead = timedelta(days=settings.LETTER_LINK_EXPIRY_NOTICE_DAYS)
    for letter in LetterRequest.objects.select_related("applicant").filter(
            status=LetterStatus.REQUESTED, link_expires_at__gt=now, link_expires_at__lte=now + ahead):
        sent += remind_once(key=f"letter-link:{letter.pk}:{letter.link_nonce}", stage="expiring",
                            send=lambda letter=letter: _link_expiring(letter))
    return sent


def _link_expiring(letter) -> None:
    notify(user=letter.applicant, kind=kinds.LETTER_LINK_EXPIRING, url=reverse("preceptors:letters"),
           context={"letter": letter, "expires": letter.link_expires_at, "days": settings.LETTER_LINK_DAYS})
