"""Recommendations: the open slots that fit an applicant, ranked by a transparent score.

First the hard filters, each named (`FILTERS`), applied in the database to the public listings'
slots; then the score, one named weight per factor (`WEIGHTS`), computed in the database for the
ordering and explained in words for the page. A factor whose data is missing (no budget stated,
no specialties chosen, a listing without enough reviews) scores nothing and is shown as unknown:
missing data is never scored as neutral. Ties are broken by start date and id: the order is
deterministic.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone

from applicants.choices import DocumentStatus, ExamStatus, Stage
from applicants.readiness import readiness
from rotations.choices import Audience, RotationType, Specialty
from rotations.models import Slot
from rotations.selectors import listings_public

# The weights: points each factor adds when it holds. One place, one test per factor.
WEIGHTS = {
    "specialty": 30,  # the listing's specialty is one of the applicant's
    "state": 15,  # in one of the applicant's preferred states
    "budget": 15,  # the fee is within the stated budget
    "hands_on": 10,  # externship, elective or sub-internship
    "letter": 10,  # a letter of recommendation is possible
    "reviews": 10,  # published review average of 4 or more (only where shown)
    "seats": 5,  # two or more seats left
    "documents": 10,  # every required document valid through the rotation
    "season": 15,  # ends early enough for a letter before programs open applications
}
FACTOR_WORDS = {
    "specialty": "the specialty is one of yours", "state": "in one of your preferred states",
    "budget": "the fee is within your budget", "hands_on": "hands-on", "letter": "a letter is possible",
    "reviews": "rated 4 or more by enough past rotators", "seats": "two or more seats left",
    "documents": "your documents for it are in order", "season": "ends in time for a letter before your Match season",
}
GOOD_REVIEW = 4
MANY_SEATS = 2
HANDS_ON = RotationType.hands_on()

# The hard filters, by name, in the words of "Why not this one?".
FILTERS = {
    "eligible": "You are not eligible (audience, visa or USMLE requirements).",
    "dates": "Its dates are outside your stated availability.",
    "deadline": "Its application deadline has passed.",
    "seats": "It has no seat left.",
    "budget": "Its fee is above your budget (you asked for rotations within it).",
}


def season_opens(year: int | None) -> date | None:
    """When programs start receiving applications for the Match of `year` (ERAS opens in
    September of the year before); `MATCH_SEASON_OPENS` overrides a season's date."""
    if not year:
        return None
    configured = settings.MATCH_SEASON_OPENS.get(year) or settings.MATCH_SEASON_OPENS.get(str(year))
    return date.fromisoformat(configured) if configured else date(year - 1, 9, 25)


def letter_due(year: int | None) -> date | None:
    """The last day a rotation may end for its letter to be in before applications open."""
    opens = season_opens(year)
    return opens - timedelta(weeks=settings.LETTER_AUTHOR_WEEKS) if opens else None


# Hard filters, in the database

def _eligible(profile) -> Q:
    if profile is None:
        return Q(pk__in=[])
    q = Q(listing__audience=Audience.BOTH) | Q(
        listing__audience=Audience.STUDENTS if profile.stage == Stage.STUDENT else Audience.GRADUATES)
    q &= Q(listing__visas=[]) | Q(listing__visas__contains=[profile.visa_status])
    if profile.step1_status != ExamStatus.PASSED:
        q &= Q(listing__requires_step1=False)
    if profile.step2_status != ExamStatus.PASSED:
        q &= Q(listing__requires_step2=False, listing__min_step2_score__isnull=True)
    else:
        q &= Q(listing__min_step2_score__isnull=True) | Q(listing__min_step2_score__lte=profile.step2_score or 0)
    return q


ALWAYS = Q(pk__isnull=False)  # a filter that does not apply (SQL needs a condition, not an empty Q)


def filter_conditions(profile, *, within_budget: bool, today: date) -> dict[str, Q]:
    conditions = {
        "eligible": _eligible(profile),
        "dates": ALWAYS,
        "deadline": Q(application_deadline__gte=today),
        "seats": Q(seats_taken__lt=F("capacity")),
        "budget": ALWAYS,
    }
    if profile is not None and profile.available_from:
        conditions["dates"] &= Q(start_date__gte=profile.available_from)
    if profile is not None and profile.available_until:
        conditions["dates"] &= Q(end_date__lte=profile.available_until)
    if within_budget and profile is not None and profile.budget_usd is not None:
        conditions["budget"] = Q(listing__fee_usd__lte=profile.budget_usd)
    return conditions


def candidates(profile, *, within_budget: bool = False, today: date | None = None):
    """The public listings' slots that pass every hard filter (one query, by the indexes)."""
    today = today or timezone.localdate()
    conditions = filter_conditions(profile, within_budget=within_budget, today=today)
    slots = Slot.objects.filter(listing__in=listings_public(), start_date__gte=today)
    for condition in conditions.values():
        slots = slots.filter(condition)
    return slots


def why_not(profile, slots, *, within_budget: bool = False, today: date | None = None) -> dict[int, list[str]]:
    """Slot id → the hard filters that remove it, in words (empty: it passes them all), for every
    slot of `slots` in one query, by the same conditions as `candidates`."""
    today = today or timezone.localdate()
    conditions = filter_conditions(profile, within_budget=within_budget, today=today)
    rows = slots.annotate(**{
        f"fails_{name}": Case(When(condition, then=Value(0)), default=Value(1), output_field=IntegerField())
        for name, condition in conditions.items()}).values("pk", *[f"fails_{name}" for name in conditions])
    return {row["pk"]: [FILTERS[name] for name in conditions if row[f"fails_{name}"]] for row in rows}


# The score, in the database

def _documents_ok(documents) -> Q:
    """Slots whose listing's required documents are all held, verified or pending, and valid
    through the slot's end (one condition per distinct expiry date the applicant has)."""
    usable = [d for d in documents if d.status != DocumentStatus.REJECTED]
    lasting = {d.kind for d in usable if d.expires_on is None}
    expiring = sorted({d.expires_on for d in usable if d.expires_on is not None})
    q = Q(listing__required_documents__contained_by=sorted(lasting))
    for until in expiring:
        kinds = lasting | {d.kind for d in usable if d.expires_on is not None and d.expires_on >= until}
        q |= Q(end_date__lte=until, listing__required_documents__contained_by=sorted(kinds))
    return q


def score_expression(profile, documents):
    """The score as one SQL expression: each factor that holds adds its weight."""
    parts = []

    def add(name, condition):
        parts.append(Case(When(condition, then=Value(WEIGHTS[name])), default=Value(0), output_field=IntegerField()))

    if profile is not None and profile.specialties:
        add("specialty", Q(listing__specialty__in=profile.specialties))
    if profile is not None and profile.preferred_states:
        add("state", Q(listing__state__in=profile.preferred_states))
    if profile is not None and profile.budget_usd is not None:
        add("budget", Q(listing__fee_usd__lte=profile.budget_usd))
    add("hands_on", Q(listing__rotation_type__in=HANDS_ON))
    add("letter", Q(listing__letter_possible=True))
    add("reviews", Q(listing__review_count__gte=settings.REVIEWS_MIN_PUBLISHED, listing__review_average__gte=GOOD_REVIEW))
    add("seats", Q(capacity__gte=F("seats_taken") + MANY_SEATS))
    add("documents", _documents_ok(documents))
    if profile is not None and (due := letter_due(profile.target_match_year)):
        add("season", Q(end_date__lte=due))
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def ranked(profile, documents, *, within_budget: bool = False, today: date | None = None):
    """(slot id, score) of the candidates, by score, then start date and id. Narrow on purpose:
    the database sorts these small rows (in memory, a top-N for one page), not whole listings."""
    return (candidates(profile, within_budget=within_budget, today=today)
            .annotate(score=score_expression(profile, documents))
            .order_by("-score", "start_date", "pk").values_list("pk", "score"))


def slots_of(rows) -> list[Slot]:
    """The slots of a page of `ranked` rows, in that order, each with its score (one query)."""
    scores = dict(rows)
    found = Slot.objects.filter(pk__in=scores).select_related("listing__institution").defer(
        "listing__search_vector", "listing__description")
    by_id = {slot.pk: slot for slot in found}
    for pk, score in scores.items():
        by_id[pk].score = score
    return [by_id[pk] for pk in scores]


def recommended(profile, documents, *, limit: int, within_budget: bool = False, today: date | None = None) -> list[Slot]:
    """The `limit` best candidates."""
    return slots_of(ranked(profile, documents, within_budget=within_budget, today=today)[:limit])


# The words, for the slots shown

@dataclass
class Explanation:
    slot: Slot
    score: int
    fits: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # held, awaiting verification: not missing
    unknown: list[str] = field(default_factory=list)
    season: str = ""


def explain(slot, profile, documents, *, today: date | None = None) -> Explanation:
    listing = slot.listing
    out = Explanation(slot=slot, score=getattr(slot, "score", 0))
    specialty = Specialty(listing.specialty).label
    if profile is None or not profile.specialties:
        out.unknown.append("Your specialties of interest: add them to your profile.")
    elif listing.specialty in profile.specialties:
        out.fits.append(f"{specialty} is one of your specialties.")
    if profile is None or not profile.preferred_states:
        out.unknown.append("Your preferred states: add them to your profile.")
    elif listing.state in profile.preferred_states:
        out.fits.append(f"{listing.state} is one of your preferred states.")
    if profile is None or profile.budget_usd is None:
        out.unknown.append("Your budget: add it to your profile to compare fees.")
    elif listing.fee_usd <= profile.budget_usd:
        fee = "It is free" if listing.fee_usd == 0 else f"${listing.fee_usd:,} is within your ${profile.budget_usd:,} budget"
        out.fits.append(f"{fee}.")
    if listing.rotation_type in HANDS_ON:
        out.fits.append("Hands-on: you examine and treat patients under supervision.")
    if listing.letter_possible:
        out.fits.append("A letter of recommendation is possible.")
    if listing.review_count >= settings.REVIEWS_MIN_PUBLISHED:
        if listing.review_average is not None and listing.review_average >= GOOD_REVIEW:
            out.fits.append(f"Rated {listing.review_average:.1f} / 5 by {listing.review_count} past rotators.")
    else:
        out.unknown.append("Reviews: not enough yet to show a rating.")
    if slot.seats_left >= MANY_SEATS:
        out.fits.append(f"{slot.seats_left} seats left.")
    check = readiness(profile=profile, documents=documents, listing=listing, slot=slot, today=today)
    for document in check.document_problems:
        (out.missing if document.blocking else out.pending).append(f"{document.label}: {document.problem}")
    if check.documents and not any(document.blocking for document in check.documents):
        out.fits.append("Your documents for it are in order." if not out.pending else
                        "Your documents for it are all uploaded; Rotamatch is verifying some.")
    due = letter_due(profile.target_match_year) if profile is not None else None
    if due is None:
        out.unknown.append("Your target Match year: add it to your profile to plan letters in time.")
    elif slot.end_date <= due:
        out.fits.append(f"Ends by {due:%b %-d, %Y}: in time for a letter before programs open applications.")
    else:
        out.season = f"Ends too late for a letter before the {profile.target_match_year} season opens."
    return out
