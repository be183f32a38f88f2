"""What every app's API shares: turning service errors into DRF answers, and documenting them."""

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle


@contextmanager
def service_errors():
    """Turn the Django errors a service raises into DRF's 400 (with field errors) and 403."""
    try:
        yield
    except DjangoValidationError as exc:
        detail = as_serializer_error(exc)
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        raise exceptions.ValidationError(detail) from exc
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc


def error_answers(*, name: str, forbidden: str):
    """An `answers(ok, *error_codes, code=200)` function for `extend_schema(responses=…)`, with
    the 403 described as `forbidden` (each app names who may use its endpoints)."""
    detail = inline_serializer(name, {"detail": serializers.CharField()})
    table = {
        400: OpenApiResponse(
            {"type": "object", "additionalProperties": True},
            description="Field errors: each field (or `non_field_errors`) with a list of messages."),
        403: OpenApiResponse(detail, description=forbidden),
        404: OpenApiResponse(detail, description="No such object among those you may see, or no such page."),
    }

    def answers(ok, *errors: int, code: int = 200) -> dict:
        return {code: ok, **{error: table[error] for error in errors}}

    return answers


# The answers of endpoints that any logged-in role may call (the applicant's and the workflow's).
answers = error_answers(name="ErrorDetail", forbidden="Not logged in, or your role may not do this.")


class IdField(serializers.PrimaryKeyRelatedField):
    """A primary key given as an integer (or its digits): DRF's own field lets the database cast
    1.5 to 1 and true to 1, so a wrong value would quietly name another object."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, float) and not data.is_integer()):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class _Called:
    """A field whose value is a method of the object called directly (`get_kind_display`): given
    as `source=`, DRF inspects the method's signature on every row, about 50 µs each, hundreds of
    times on a page of listings."""

    def __init__(self, method: str, **kwargs):
        self.method = method
        super().__init__(source="*", read_only=True, **kwargs)

    def get_attribute(self, instance):
        return getattr(instance, self.method)()


class CalledCharField(_Called, serializers.CharField):
    pass


class CalledListField(_Called, serializers.ListField):
    pass


class SignedInRateThrottle(UserRateThrottle):
    """DRF's UserRateThrottle ("user" rate) for signed-in users only. DRF's own counts anonymous
    requests too, by address, where AnonRateThrottle ("anon" rate) already counts them: two more
    cache round trips per anonymous request for a limit ten times looser than the one that binds."""

    def get_cache_key(self, request, view):
        if not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)
