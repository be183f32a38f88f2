"""Rules on a listing's and a slot's values, shared by the web forms, the API and the CSV import."""

from django.utils import timezone


def slot_date_errors(*, start, end, deadline, start_moved: bool) -> dict[str, str]:
    """Field errors for a slot's dates; a slot that already began may keep its start date."""
    errors = {}
    if start and start_moved and start < timezone.localdate():
        errors["start_date"] = "Must not be in the past."
    if start and end and end <= start:
        errors["end_date"] = "Must be after the start date."
    if start and deadline and deadline > start:
        errors["application_deadline"] = "Must be on or before the start date."
    return errors


def listing_requirement_errors(*, min_step2_score, requires_step2) -> dict[str, str]:
    if min_step2_score and not requires_step2:
        return {"min_step2_score": "Set a minimum score only when Step 2 CK is required."}
    return {}
