"""The Django admin changes listings, slots and verification through the services."""

import pytest
from django.core.cache import cache
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone

from institutions.models import Institution
from rotations.models import Listing, Slot
from rotations.search_cache import VERSION_KEY

from .factories import AdminFactory, InstitutionFactory, ListingFactory, PreceptorFactory, SlotFactory

# The search cache hears of changes after commit, so these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)


def _form_data(response) -> dict:
    """What the admin's change page would post back unchanged: the form and its inlines."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.extend(formset.forms)
        data.update({f"{formset.prefix}-{name}": field.value()
                     for name, field in formset.management_form.fields.items()
                     for field in [formset.management_form[name]]})
    for form in forms:
        for bound in form:
            value = bound.value()
            # A browser sends no file back unless one is chosen again.
            if value is None or value is False or value == [] or isinstance(value, FieldFile):
                continue
            if isinstance(value, list):
                value = value if bound.field.widget.__class__.__name__.startswith(("Select", "Checkbox")) \
                    else ",".join(map(str, value))
            data[bound.html_name] = value
    return data


def _search_titles(client, q):
    client.logout()
    return [listing["title"] for listing in client.get(reverse("api-listing-list"), {"q": q}).json()["results"]]


def test_saving_a_listing_and_its_slot_in_the_admin_updates_search_and_cache(client):
    slot = SlotFactory(capacity=2)
    listing = slot.listing
    admin = AdminFactory()
    assert _search_titles(client, "Neurosurgery") == []  # and the anonymous answer is now cached
    version = cache.get(VERSION_KEY)
    client.force_login(admin)
    url = reverse("admin:rotations_listing_change", args=[listing.pk])
    data = _form_data(client.get(url))
    data.update({"title": "Neurosurgery Observership", "slots-0-capacity": "5"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Slot.objects.get(pk=slot.pk).capacity == 5
    assert cache.get(VERSION_KEY) != version
    assert _search_titles(client, "Neurosurgery") == ["Neurosurgery Observership"]


def test_a_refusal_in_the_admin_saves_nothing_and_says_why(client):
    slot = SlotFactory(capacity=2)
    Slot.objects.filter(pk=slot.pk).update(seats_taken=2)
    client.force_login(AdminFactory())
    url = reverse("admin:rotations_listing_change", args=[slot.listing.pk])
    data = _form_data(client.get(url))
    data.update({"title": "Changed", "slots-0-capacity": "1"})
    response = client.post(url, data, follow=True)
    assert "Nothing was saved: Fewer seats than are already taken." in response.content.decode()
    assert Listing.objects.get(pk=slot.listing.pk).title != "Changed"


def test_verifying_an_institution_in_the_admin_publishes_its_listings_in_search(client):
    institution = InstitutionFactory(verified_at=None)
    ListingFactory(institution=institution, title="Dermatology Elective")
    assert _search_titles(client, "Dermatology") == []
    client.force_login(AdminFactory())
    client.post(reverse("admin:institutions_institution_changelist"),
                {"action": "mark_verified", "_selected_action": [institution.pk]})
    assert Institution.objects.get(pk=institution.pk).verified_at is not None
    assert _search_titles(client, "Dermatology") == ["Dermatology Elective"]


@pytest.mark.parametrize(("field", "value", "stays_verified"), [
    ("full_name", "Dr. Someone Else", False), ("npi", "1558598797", False), ("title", "Clerkship director", True)])
def test_an_admin_edit_of_a_preceptors_name_or_npi_drops_the_verification(client, field, value, stays_verified):
    preceptor = PreceptorFactory(npi="1234567893", status="verified", verified_at=timezone.now())
    client.force_login(AdminFactory())
    url = reverse("admin:institutions_preceptor_change", args=[preceptor.pk])
    data = _form_data(client.get(url))
    data[field] = value
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    preceptor.refresh_from_db()
    assert getattr(preceptor, field) == value
    assert (preceptor.status == "verified", preceptor.verified_at is not None) == (stays_verified, stays_verified)
