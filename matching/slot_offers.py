"""Matching's answer to rotations' question "which offers on this slot are still open?"
(`rotations.hooks.register_open_offers`), asked when a coordinator saves the slot's seats."""

from django.utils import timezone

from .models import Application, Status


def open_offers(slot) -> list[tuple]:
    """(applicant's name, offered at) of the slot's unanswered offers whose deadline is ahead,
    oldest first: the ones `requeue_surplus_offers` puts back on the waitlist once the seats are taken."""
    offers = (Application.objects
              .filter(slot_id=slot.pk, status=Status.OFFERED, offer_deadline__gte=timezone.now())
              .select_related("applicant__profile").order_by("status_changed_at", "id"))
    return [(_name(offer.applicant), offer.status_changed_at) for offer in offers]


def _name(user) -> str:
    """The legal name hosts know the applicant by; an applicant without a profile yet by their account."""
    profile = getattr(user, "profile", None)  # a missing profile raises an AttributeError subclass
    return profile.legal_name if profile and profile.legal_name else str(user)
