"""Business logic of preceptor profiles: editing, NPI disputes, verification against the registry.

Split from services.py by concern; the functions follow the same `<entity>_<verb>` keyword-only
form and are exported from `services` too.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from . import hooks, policies
from .emails import notify_dispute_opened, notify_dispute_resolved, notify_verification
from .models import NpiDispute, Preceptor

PROFILE_FIELDS = ["full_name", "degree", "credentials", "specialty", "board", "board_year", "npi",
                  "title", "department", "languages", "teaching_interests", "bio"]
# What the admin checked against the registry: changing either makes the check stale.
IDENTITY_FIELDS = ["full_name", "npi"]
UNDER_REVIEW = ("This NPI is already on another profile. Your claim is under review by the "
                "Rotamatch team; you will hear from us.")


def preceptor_profile_update(*, preceptor: Preceptor, by: User, changes: dict, photo=None,
                             remove_photo: bool = False) -> Preceptor:
    """Save the preceptor's own profile (fields of PROFILE_FIELDS, a cleaned photo file).

    Side effects: a changed name or NPI drops the verification back to unverified; an NPI that
    another profile holds opens an NpiDispute (the claimant is told it is under review, in the
    inbox and by e-mail) instead of being refused; a replaced photo's file is deleted after commit.
    """
    policies.may_edit_profile(by, preceptor).enforce()
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown profile fields: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        preceptor = Preceptor.objects.select_for_update().get(pk=preceptor.pk)
        before = {name: getattr(preceptor, name) for name in IDENTITY_FIELDS}
        old_photo = preceptor.photo.name
        for name, value in changes.items():
            setattr(preceptor, name, value)
        if any(getattr(preceptor, name) != before[name] for name in IDENTITY_FIELDS):
            _unverify(preceptor)
        preceptor.full_clean(exclude=["photo"])
        if photo is not None:
            preceptor.photo.save("photo.jpg", photo, save=False)
        elif remove_photo:
            preceptor.photo = ""
        preceptor.save()
        if preceptor.npi != before["npi"]:
            NpiDispute.objects.filter(claimant=preceptor, status=NpiDispute.Status.OPEN).delete()
            _dispute_if_claimed(preceptor)
        if old_photo and old_photo != preceptor.photo.name:
            storage = preceptor.photo.storage
            transaction.on_commit(lambda: storage.delete(old_photo))
    return preceptor


def preceptor_admin_save(*, preceptor: Preceptor, by: User, changed: list[str]) -> Preceptor:
    """An admin's edit in the Django admin: the same rule as the preceptor's own edit, a changed
    name or NPI drops the verification (the registry check was of the old ones)."""
    if not by.is_staff:
        raise PermissionDenied("Only staff edit preceptors in the admin.")
    if preceptor.pk and set(changed) & set(IDENTITY_FIELDS):
        _unverify(preceptor)
    preceptor.save()
    return preceptor


def _unverify(preceptor: Preceptor) -> None:
    preceptor.status = Preceptor.Status.UNVERIFIED
    preceptor.verified_at = None
    preceptor.verified_by = None
    preceptor.rejection_reason = ""


def _dispute_if_claimed(preceptor: Preceptor) -> NpiDispute | None:
    if not preceptor.npi:
        return None
    holder = (Preceptor.objects.exclude(pk=preceptor.pk).filter(npi=preceptor.npi)
              .order_by("-verified_at", "created_at").first())
    if holder is None:
        return None
    dispute = NpiDispute.objects.create(npi=preceptor.npi, claimant=preceptor, holder=holder)
    notify_dispute_opened(dispute)
    return dispute


def npi_dispute_resolve(*, dispute: NpiDispute, by: User, claimant_wins: bool, note: str = "") -> NpiDispute:
    """Give the NPI to one side; the other loses it (and any verification). Both are told."""
    policies.may_resolve_dispute(by, dispute).enforce()
    with transaction.atomic():
        dispute = NpiDispute.objects.select_for_update().get(pk=dispute.pk)
        policies.may_resolve_dispute(by, dispute).enforce()
        loser = dispute.holder if claimant_wins else dispute.claimant
        loser = Preceptor.objects.select_for_update().get(pk=loser.pk)
        if loser.npi == dispute.npi:
            loser.npi = ""
            _unverify(loser)
            loser.save(update_fields=["npi", "status", "verified_at", "verified_by", "rejection_reason"])
        dispute.status = NpiDispute.Status.CLAIMANT if claimant_wins else NpiDispute.Status.HOLDER
        dispute.resolved_at = timezone.now()
        dispute.resolved_by = by
        dispute.note = note
        dispute.save(update_fields=["status", "resolved_at", "resolved_by", "note"])
        notify_dispute_resolved(dispute)
    return dispute


def preceptor_verification_decide(*, preceptor: Preceptor, by: User, verify: bool, reason: str = "",
                                  registry_response: dict | None = None) -> Preceptor:
    """Verify or reject an unverified preceptor, storing who, when and what the registry said.

    Side effects: the preceptor is notified (inbox and e-mail); after commit the apps above are
    told (rotations refreshes cached searches, which show the badge).
    """
    rule = policies.may_verify if verify else policies.may_decide_verification
    rule(by, preceptor).enforce()
    reason = reason.strip()
    if not verify and not reason:
        raise ValidationError({"reason": "Say why, so the preceptor can put it right."})
    with transaction.atomic():
        preceptor = Preceptor.objects.select_for_update().get(pk=preceptor.pk)
        rule(by, preceptor).enforce()
        preceptor.status = Preceptor.Status.VERIFIED if verify else Preceptor.Status.REJECTED
        preceptor.verified_at = timezone.now() if verify else None
        preceptor.verified_by = by
        preceptor.rejection_reason = "" if verify else reason
        preceptor.registry_response = registry_response
        preceptor.save(update_fields=["status", "verified_at", "verified_by", "rejection_reason",
                                      "registry_response"])
        notify_verification(preceptor)
        institution_ids = list(preceptor.memberships.values_list("institution_id", flat=True))
        transaction.on_commit(lambda: hooks.verified(institution_ids))
    return preceptor
