"""The road to the Match on the applicant's dashboard: for their target Match year, when programs
start reading applications, the US clinical experience done and booked, US letters in hand
against the three most programs ask for, documents that expire before then, and what to do next.

Composed here, the highest app below config, because it reads placements (matching), documents
(applicants) and letters (this app).
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from applicants.models import Document
from matching.models import Application, Status
from matching.recommend import letter_due, season_opens

from .models import LetterRequest, LetterStatus

LETTERS_PROGRAMS_ASK = 3
DAYS_PER_MONTH = 30.44


@dataclass
class Timeline:
    year: int
    opens: date
    letter_due: date
    months_done: float
    months_booked: float
    letters: int
    letters_asked: int
    expiring: list = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)

    @property
    def letters_short(self) -> int:
        return max(LETTERS_PROGRAMS_ASK - self.letters, 0)


def _months(slots) -> float:
    return round(sum((slot.end_date - slot.start_date).days + 1 for slot in slots) / DAYS_PER_MONTH, 1)


def road_to_match(user, profile, today: date | None = None) -> Timeline | None:
    if profile is None or not profile.target_match_year:
        return None
    today = today or timezone.localdate()
    year = profile.target_match_year
    opens, due = season_opens(year), letter_due(year)
    placements = [a.slot for a in Application.objects.filter(
        applicant=user, status__in=Status.holding_a_seat()).select_related("slot")]
    done = [slot for slot in placements if slot.end_date < today]
    booked = [slot for slot in placements if slot.end_date >= today and slot.end_date <= opens]
    letters = LetterRequest.objects.filter(applicant=user).exclude(status__in=[LetterStatus.CANCELLED, LetterStatus.REMOVED])
    uploaded = sum(1 for letter in letters if letter.status == LetterStatus.UPLOADED)
    expiring = list(Document.objects.filter(applicant=user, expires_on__isnull=False, expires_on__lt=opens)
                    .order_by("expires_on"))
    timeline = Timeline(year=year, opens=opens, letter_due=due, months_done=_months(done),
                        months_booked=_months(booked), letters=uploaded, letters_asked=len(letters), expiring=expiring)
    timeline.next_steps = _next_steps(timeline, today)
    return timeline


def _next_steps(timeline: Timeline, today: date) -> list[str]:
    steps = []
    if today > timeline.opens:
        return [f"Programs opened applications for the {timeline.year} Match on {timeline.opens:%B %-d, %Y}: "
                f"set your next target year in your profile to plan the following season."]
    if timeline.months_done + timeline.months_booked < LETTERS_PROGRAMS_ASK and today <= timeline.letter_due:
        steps.append(f"Book a rotation ending by {timeline.letter_due:%B %-d, %Y} for a letter in time.")
    if timeline.letters_asked < LETTERS_PROGRAMS_ASK:
        steps.append(f"Ask for {LETTERS_PROGRAMS_ASK - timeline.letters_asked} more letter"
                     f"{'s' if LETTERS_PROGRAMS_ASK - timeline.letters_asked != 1 else ''}: most programs want three "
                     f"from US physicians.")
    for document in timeline.expiring:
        steps.append(f"Renew your {document.get_kind_display()}: it expires on {document.expires_on:%B %-d, %Y}, "
                     f"before programs open applications.")
    return steps or ["You are on track: keep your documents current and follow your letters."]


def dashboard_part(request, profile) -> dict:
    timeline = road_to_match(request.user, profile)
    if timeline is None:
        return {"template": "preceptors/_road_to_match.html", "timeline": None} if profile else {}
    return {"template": "preceptors/_road_to_match.html", "timeline": timeline}
