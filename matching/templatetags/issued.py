"""Template helpers of the pages that show a placement's issued documents."""

from django import template
from django.conf import settings
from django.urls import reverse

from ..services_issued import signatory_default

register = template.Library()


@register.simple_tag
def issued_verify_url() -> str:
    """The verification page's address as the PDFs print it (SITE_URL, not the request's host)."""
    return settings.SITE_URL + reverse("matching:verify")


@register.filter
def current_issued(documents, kind: str):
    """The document of `kind` that is not superseded (valid or revoked), or None."""
    return next((d for d in documents if d.kind == kind and d.superseded_at is None), None)


@register.simple_tag
def issued_default_signatory(application):
    """Who signs what the applicant or an admin issues for this placement."""
    return signatory_default(application.slot.listing.institution_id)
