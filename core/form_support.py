"""What every app's web forms share: a service's refusal shown on the form that was posted."""

from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError, *, fallback: str | None = None) -> None:
    """A service's error goes next to the field it names; anything else next to `fallback`
    (above the form when None)."""
    if not hasattr(error, "error_dict"):
        form.add_error(fallback, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else fallback, errors)
