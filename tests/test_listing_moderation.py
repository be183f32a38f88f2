"""The moderation state machine as a table: every (role, state, action), only the allowed succeed."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rotations.choices import ListingStatus
from rotations.models import Listing
from rotations.policies import TRANSITIONS
from rotations.services import listing_save, listing_transition

from .factories import AdminFactory, CoordinatorFactory, ListingFactory, PreceptorFactory, SlotFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["owner", "stranger", "admin", "applicant"]


def _actor(role, listing):
    if role == "owner":
        return CoordinatorFactory(institution=listing.institution).user
    if role == "stranger":
        return CoordinatorFactory().user
    if role == "admin":
        return AdminFactory()
    return UserFactory()


def _allowed(role, status, action) -> bool:
    sources, _, actor = TRANSITIONS[action]
    permitted = role == "admin" or (role == "owner" and actor == "coordinator")
    return permitted and status in sources


@pytest.mark.parametrize("role, status, action",
                         list(itertools.product(ROLES, ListingStatus.values, TRANSITIONS)))
def test_only_the_allowed_moves_succeed(role, status, action):
    listing = SlotFactory(listing__status=status).listing
    by = _actor(role, listing)
    if _allowed(role, status, action):
        listing_transition(listing=listing, action=action, by=by, reason="Add the fee policy.")
        assert Listing.objects.get(pk=listing.pk).status == TRANSITIONS[action][1]
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            listing_transition(listing=listing, action=action, by=by, reason="Add the fee policy.")
        assert Listing.objects.get(pk=listing.pk).status == status


def test_a_listing_names_only_its_own_institutions_preceptors():
    listing = ListingFactory(status=ListingStatus.DRAFT)
    owner = CoordinatorFactory(institution=listing.institution).user
    elsewhere = PreceptorFactory()
    with pytest.raises(ValidationError) as error:
        listing_save(listing=listing, by=owner, preceptors=[elsewhere])
    assert error.value.message_dict == {"preceptors": ["Only the institution's own preceptors can be named."]}
    assert list(listing.preceptors.all()) == []
