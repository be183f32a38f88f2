"""Value checks of institutions' fields: the NPI's check digit, a board certification's year."""

from django.core.exceptions import ValidationError
from django.utils import timezone

NPI_INVALID = "Enter a valid NPI: 10 digits beginning with 1 or 2, with a correct check digit."


def npi_is_valid(value: str) -> bool:
    """The NPI's own check: Luhn over the 10 digits prefixed by 80840 (the US health-card prefix)."""
    if len(value) != 10 or not value.isascii() or not value.isdigit() or value[0] not in "12":
        return False
    return _luhn_ok("80840" + value)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def validate_npi(value: str) -> None:
    if value and not npi_is_valid(value):
        raise ValidationError(NPI_INVALID, code="invalid_npi")


def validate_board_year(value: int) -> None:
    if value is not None and not 1950 <= value <= timezone.now().year:
        raise ValidationError(f"Enter a year between 1950 and {timezone.now().year}.")
