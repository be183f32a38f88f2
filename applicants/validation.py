"""Profile values that contradict each other (value validation, not who may do what: see policies.py);
checked by `Profile.clean()`, so the web form and the API share them."""

from django.utils import timezone

from .choices import EcfmgStatus, ExamStatus, Stage

TAKEN = (ExamStatus.PASSED, ExamStatus.FAILED)
YEAR_RANGE = (1960, 2040)  # the graduation year field's validators
MAX_LANGUAGES = 20


def profile_rule_errors(*, stage, graduation_year, ecfmg_status, step1_status, step1_score,
                        step2_status, step2_score, available_from, available_until) -> dict[str, str]:
    """Field errors for values that contradict each other; a missing value is judged by its own field."""
    errors = {}
    for exam, status, score in (("step1", step1_status, step1_score), ("step2", step2_status, step2_score)):
        if score is not None and status not in TAKEN:
            errors[f"{exam}_score"] = "Enter a score only for an exam you have taken (passed or failed)."
    # ECFMG certifies only after both Step 1 and Step 2 CK are passed.
    if ecfmg_status == EcfmgStatus.CERTIFIED and not (
            step1_status == ExamStatus.PASSED and step2_status == ExamStatus.PASSED):
        errors["ecfmg_status"] = "ECFMG certification requires Step 1 and Step 2 CK passed; check your exam statuses."
    this_year = timezone.localdate().year
    if graduation_year and not YEAR_RANGE[0] <= graduation_year <= YEAR_RANGE[1]:
        graduation_year = None  # out of range: its own field's validator says so
    if graduation_year and stage == Stage.GRADUATE and graduation_year > this_year:
        errors["graduation_year"] = f"A graduate's graduation year cannot be after {this_year}."
    if graduation_year and stage == Stage.STUDENT and graduation_year < this_year:
        errors["graduation_year"] = f"A student's expected graduation year cannot be before {this_year}."
    if available_from and available_until and available_until < available_from:
        errors["available_until"] = "Must be on or after the date you are available from."
    return errors
