"""Who sees which letter requests, shares and versions: every page and API view asks these.

Nothing here ever hands a waived letter's file to its applicant: the applicant's queries return
requests (status, author, letter ID) and the versions query answers them only for unwaived ones.
"""

from django.db.models import Q

from accounts.models import Role
from institutions.models import Preceptor
from matching.models import Status
from notifications.models import SentReminder

from .models import LetterRequest, LetterShare, LetterStatus, LetterVersion
from .selectors import evaluations_visible_to


def letters_of_applicant(user):
    if not user.is_authenticated or user.role != Role.APPLICANT:
        return LetterRequest.objects.none()
    return LetterRequest.objects.filter(applicant=user).select_related("preceptor")


def letters_for_author(user):
    """The requests addressed to a preceptor signed in: to their profile, or to their e-mail."""
    if not user.is_authenticated or user.role != Role.PRECEPTOR:
        return LetterRequest.objects.none()
    return LetterRequest.objects.filter(Q(preceptor__user=user) | Q(author_email__iexact=user.email)).select_related(
        "applicant")


def letters_pending_for_author(user):
    return letters_for_author(user).filter(status=LetterStatus.REQUESTED)


def letter_versions_readable_by(user):
    """The files a user may download outside a share: the author's own letters, and the
    applicant's unwaived ones. Coordinators and admins get none here (admins open a letter with
    a recorded reason, through their own page)."""
    if not user.is_authenticated:
        return LetterVersion.objects.none()
    base = LetterVersion.objects.select_related("request").filter(request__status=LetterStatus.UPLOADED)
    if user.role == Role.APPLICANT:
        return base.filter(request__applicant=user, request__waived=False)
    if user.role == Role.PRECEPTOR:
        return base.filter(request__in=letters_for_author(user))
    return base.none()


def shares_of_applicant(user):
    if not user.is_authenticated or user.role != Role.APPLICANT:
        return LetterShare.objects.none()
    return LetterShare.objects.filter(applicant=user).prefetch_related("letters")


def letter_authors_for(user):
    """The preceptors of the applicant's completed placements: whom they can pick from a list."""
    return Preceptor.objects.filter(
        listings__slots__applications__applicant=user,
        listings__slots__applications__status=Status.COMPLETED).distinct().order_by("full_name")


def letter_offers_for(user) -> dict[int, bool]:
    """Preceptor id → the "I would write a letter" answer of the newest revealed evaluation they
    wrote of this applicant (absent where none is revealed)."""
    answers: dict[int, bool] = {}
    evaluations = evaluations_visible_to(user).filter(application__applicant=user, author__isnull=False)
    for evaluation in evaluations.order_by("submitted_at", "version"):
        answers[evaluation.author_id] = evaluation.would_write_letter  # the newest wins
    return answers


def letter_reminders_sent(letters) -> dict[int, list]:
    """Letter id → when each scheduled reminder went to its author (reminders.py writes them)."""
    keys = {f"letter:{letter.pk}": letter.pk for letter in letters}
    sent: dict[int, list] = {}
    for key, at in SentReminder.objects.filter(key__in=keys).order_by("created_at").values_list("key", "created_at"):
        sent.setdefault(keys[key], []).append(at)
    return sent
