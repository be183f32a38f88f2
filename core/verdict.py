"""The answer of every rule book's predicates: yes, or no with the refusal in words."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError


@dataclass(frozen=True)
class Verdict:
    """Yes, or no with the reason; `forbidden` refusals are about who asks, the rest about state."""

    reason: str = ""
    forbidden: bool = False
    field: str = ""

    def __bool__(self) -> bool:
        return not self.reason

    def enforce(self) -> None:
        if self.forbidden:
            raise PermissionDenied(self.reason)
        if self.reason:
            raise ValidationError({self.field: self.reason} if self.field else self.reason)


YES = Verdict()
