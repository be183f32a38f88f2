"""The controlled vocabularies of listings: specialties, rotation types, audiences, visas, documents."""

import functools

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from localflavor.us.us_states import CONTIGUOUS_STATES, NON_CONTIGUOUS_STATES, US_TERRITORIES

from core.specialties import Specialty  # noqa: F401  (re-exported: listings keep importing it from here)


class RotationType(models.TextChoices):
    OBSERVERSHIP = "observership", "Observership"
    EXTERNSHIP = "externship", "Hands-on externship"
    ELECTIVE = "elective", "Clinical elective (students)"
    SUB_INTERNSHIP = "sub_internship", "Sub-internship"
    RESEARCH = "research", "Research"

    @classmethod
    def hands_on(cls) -> list[str]:
        """The types where the IMG examines and treats patients under supervision."""
        return [cls.EXTERNSHIP, cls.ELECTIVE, cls.SUB_INTERNSHIP]


class Setting(models.TextChoices):
    INPATIENT = "inpatient", "Inpatient"
    OUTPATIENT = "outpatient", "Outpatient"
    MIXED = "mixed", "Inpatient and outpatient"


class Audience(models.TextChoices):
    STUDENTS = "students", "Students"
    GRADUATES = "graduates", "Graduates"
    BOTH = "both", "Students and graduates"


class Visa(models.TextChoices):
    B1 = "b1", "B-1 (business visitor)"
    B2 = "b2", "B-2 (visitor)"
    F1 = "f1", "F-1"
    J1 = "j1", "J-1"
    H1B = "h1b", "H-1B"
    GREEN_CARD = "green_card", "Permanent resident"
    US_CITIZEN = "us_citizen", "US citizen"
    EAD = "ead", "Employment authorization (EAD)"


class DocumentKind(models.TextChoices):
    """The documents of an applicant's vault that a listing may require."""

    CV = "cv", "CV"
    PASSPORT = "passport", "Passport"
    IMMUNIZATION = "immunization", "Immunization record"
    TB_TEST = "tb_test", "TB test"
    HEALTH_INSURANCE = "health_insurance", "Health insurance"
    BACKGROUND_CHECK = "background_check", "Background check"
    GOOD_STANDING = "good_standing", "Good-standing letter"
    USMLE_TRANSCRIPT = "usmle_transcript", "USMLE transcript"
    BLS_ACLS = "bls_acls", "BLS/ACLS certification"
    HIPAA = "hipaa", "HIPAA training"


class ListingStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    RETURNED = "returned", "Returned for changes"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


def listing_places():
    """Where a rotation can be: the 50 states and DC, then the inhabited territories (Puerto Rico
    and Guam have teaching hospitals). Not the armed forces' mail codes
    (AA, AE, AP) that localflavor's state list adds: they are post offices, not places.

    A callable, so the lazy state names are translated when a form is drawn, not at import.
    (The model keeps localflavor's field, whose choices the API schema shares with institutions,
    and refuses the rest with `validate_listing_place`.)
    """
    return list(_places_in(get_language()))


@functools.cache
def _places_in(language: str | None) -> tuple:
    # Sorted once per language: every search form draws and checks this list.
    states = sorted(CONTIGUOUS_STATES + NON_CONTIGUOUS_STATES, key=lambda choice: str(choice[1]))
    return (*states, *US_TERRITORIES)


def validate_listing_place(value: str) -> None:
    if value not in {code for code, _ in listing_places()}:
        raise ValidationError("Choose a state, the District of Columbia or a US territory.")
