"""Demo listings for `make run`: a second institution and listings in every moderation state.

Idempotent, and safe on whatever the database holds: each demo listing is found by its own
`demo_key` (never by its title, which coordinators may reuse or change). A demo listing that
exists is left as it is, with whatever users made of it; one that was deleted is created again
with its slots. So a second run leaves the same rows.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.text import slugify

from institutions.models import Institution

from .choices import Audience, DocumentKind, ListingStatus, RotationType, Setting, Specialty, Visa
from .models import Listing, Slot
from .services import listings_refresh_search

DOCS = [DocumentKind.CV, DocumentKind.PASSPORT, DocumentKind.IMMUNIZATION, DocumentKind.HEALTH_INSURANCE]

LISTINGS = [
    # title, specialty, type, setting, audience, visas, weeks, fee, letter, status, step1
    ("Internal Medicine Observership", Specialty.INTERNAL_MEDICINE, RotationType.OBSERVERSHIP,
     Setting.INPATIENT, Audience.GRADUATES, [Visa.B1, Visa.B2], 4, 1500, True, ListingStatus.PUBLISHED, False),
    ("Family Medicine Hands-on Externship", Specialty.FAMILY_MEDICINE, RotationType.EXTERNSHIP,
     Setting.OUTPATIENT, Audience.BOTH, [Visa.B1, Visa.J1, Visa.GREEN_CARD, Visa.US_CITIZEN], 4, 2800,
     True, ListingStatus.PUBLISHED, True),
    ("Pediatrics Clinical Elective", Specialty.PEDIATRICS, RotationType.ELECTIVE, Setting.MIXED,
     Audience.STUDENTS, [Visa.B1], 4, 0, True, ListingStatus.PUBLISHED, False),
    ("Cardiology Research Rotation", Specialty.CARDIOLOGY, RotationType.RESEARCH, Setting.OUTPATIENT,
     Audience.BOTH, [Visa.B1, Visa.B2, Visa.F1, Visa.J1], 8, 900, False, ListingStatus.PUBLISHED, False),
    ("Psychiatry Observership", Specialty.PSYCHIATRY, RotationType.OBSERVERSHIP, Setting.OUTPATIENT,
     Audience.GRADUATES, [Visa.B1, Visa.B2], 2, 750, False, ListingStatus.SUBMITTED, False),
    ("Emergency Medicine Sub-internship", Specialty.EMERGENCY_MEDICINE, RotationType.SUB_INTERNSHIP,
     Setting.INPATIENT, Audience.STUDENTS, [Visa.B1], 4, 3200, True, ListingStatus.DRAFT, True),
]


def seed_listings(home: Institution, preceptor) -> None:
    lakeside, _ = Institution.objects.update_or_create(
        name="Lakeside University Medical Center", city="Chicago", state="IL",
        defaults={"kind": Institution.Kind.ACADEMIC_HOSPITAL, "address": "5841 South Maryland Avenue",
                  "zip_code": "60637", "website": "https://lakeside.example.org"},
    )
    Institution.objects.filter(pk=lakeside.pk, verified_at__isnull=True).update(verified_at=timezone.now())
    ids = []
    for n, row in enumerate(LISTINGS):
        if not Listing.objects.filter(demo_key=demo_key(row[0])).exists():
            ids.append(_create_listing(n, row, home if n % 2 == 0 else lakeside, preceptor, home).pk)
    listings_refresh_search(ids=ids)


def demo_key(title: str) -> str:
    """The key of the demo listing seeded under this title (migration 0008 uses the same)."""
    return slugify(title)


def demo_listing(title: str) -> Listing | None:
    """The demo listing seeded under this title, if it still exists (for the other apps' seeders)."""
    return Listing.objects.filter(demo_key=demo_key(title)).first()


def _create_listing(n: int, row, institution: Institution, preceptor, home: Institution) -> Listing:
    title, specialty, kind, setting, audience, visas, weeks, fee, letter, status, step1 = row
    listing = Listing.objects.create(
        demo_key=demo_key(title), institution=institution, title=title,
        specialty=specialty, rotation_type=kind, setting=setting,
        city=institution.city, state=institution.state, audience=audience,
        visas=[str(v) for v in visas], requires_step1=step1,
        required_documents=[str(d) for d in DOCS], duration_weeks=weeks, fee_usd=fee,
        fee_covers="Supervision, hospital badge and EMR access." if fee else "",
        refund_policy="Full refund up to 30 days before the start date." if fee else "",
        letter_possible=letter, status=status,
        published_at=timezone.now() if status == ListingStatus.PUBLISHED else None,
        description=f"A {weeks}-week {kind.label.lower()} in {specialty.label.lower()}: "
                    "daily rounds with the team, case presentations and teaching conferences.",
    )
    if institution == home:
        listing.preceptors.set([preceptor])
    _create_slots(listing, weeks, n)
    return listing


def _create_slots(listing: Listing, weeks: int, n: int) -> None:
    first = timezone.localdate().replace(day=1) + timedelta(days=62 + 7 * n)
    for k in range(3):
        start = first + timedelta(weeks=k * (weeks + 2))
        Slot.objects.create(listing=listing, start_date=start, end_date=start + timedelta(weeks=weeks, days=-1),
                            application_deadline=start - timedelta(days=30), capacity=2 + k)
