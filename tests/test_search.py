"""Listing search: each filter and sort, keyword search and its ranking, who never appears, bad input, constant queries.

Every test goes through the public page, `GET /listings/?…`, so the query-string parsing
(rotations.search.SearchForm) and the selector (rotations.search.listing_search) are tested
together, as an applicant or a shared link uses them.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from rotations.choices import Audience, ListingStatus, RotationType, Specialty
from rotations.models import Listing
from rotations.search_cache import listings_changed
from rotations.services import listings_refresh_next_start
from rotations.templatetags import search_cards

from .factories import InstitutionFactory, ListingFactory, SlotFactory

pytestmark = pytest.mark.django_db

URL = "/listings/"


def search(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def titles(client, **params) -> list[str]:
    """The titles on the first page of results, in the order shown."""
    return [listing.title for listing in search(client, **params).context["page"].object_list]


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


def slot_starting(listing, start, **kwargs):
    kwargs.setdefault("application_deadline", start - timedelta(days=1))
    return SlotFactory(listing=listing, start_date=start, end_date=start + timedelta(days=27), **kwargs)


def test_the_search_page_is_named_and_public(client):
    assert reverse("rotations:search") == URL
    ListingFactory(title="Cardiology observership")
    assert titles(client) == ["Cardiology observership"]


# Filters: each keeps what matches and drops what does not.

def test_specialty_filter(client):
    ListingFactory(title="Heart", specialty=Specialty.CARDIOLOGY)
    ListingFactory(title="Medicine", specialty=Specialty.INTERNAL_MEDICINE)
    assert titles(client, specialty="cardiology") == ["Heart"]


def test_type_filter(client):
    ListingFactory(title="Externship", rotation_type=RotationType.EXTERNSHIP)
    ListingFactory(title="Observership", rotation_type=RotationType.OBSERVERSHIP)
    assert titles(client, type="externship") == ["Externship"]


def test_hands_on_filter_keeps_externships_electives_and_sub_internships(client):
    for rotation_type in RotationType:
        ListingFactory(title=rotation_type.label, rotation_type=rotation_type)
    assert sorted(titles(client, hands_on="on")) == [
        "Clinical elective (students)", "Hands-on externship", "Sub-internship"]


def test_state_filter(client):
    ListingFactory(title="New York", city="Brooklyn", state="NY")
    ListingFactory(title="Illinois", city="Springfield", state="IL")
    assert titles(client, state="NY") == ["New York"]


def test_start_month_filter_keeps_listings_with_a_slot_starting_in_that_month(client):
    first = days(120).replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    slot_starting(ListingFactory(title="First day"), first)
    slot_starting(ListingFactory(title="Last day"), next_month - timedelta(days=1))
    slot_starting(ListingFactory(title="Month before"), first - timedelta(days=1))
    slot_starting(ListingFactory(title="Month after"), next_month)
    ListingFactory(title="No slots")
    assert sorted(titles(client, start_month=f"{first:%Y-%m}")) == ["First day", "Last day"]


def test_duration_range_includes_both_ends(client):
    for weeks in (2, 3, 4, 5):
        ListingFactory(title=f"{weeks} weeks", duration_weeks=weeks)
    assert sorted(titles(client, duration="3-4")) == ["3 weeks", "4 weeks"]


def test_duration_nine_weeks_or_more(client):
    for weeks in (8, 9, 52):
        ListingFactory(title=f"{weeks} weeks", duration_weeks=weeks)
    assert sorted(titles(client, duration="9+")) == ["52 weeks", "9 weeks"]


def test_free_filter(client):
    ListingFactory(title="Free", fee_usd=0)
    ListingFactory(title="Paid", fee_usd=1)
    assert titles(client, free="on") == ["Free"]


def test_max_fee_filter_includes_the_maximum(client):
    for fee in (0, 500, 501):
        ListingFactory(title=f"${fee}", fee_usd=fee)
    assert titles(client, max_fee="500", sort="fee") == ["$0", "$500"]


def test_audience_students_keeps_listings_for_students_or_both(client):
    for audience in Audience:
        ListingFactory(title=audience.label, audience=audience)
    assert sorted(titles(client, audience="students")) == ["Students", "Students and graduates"]


def test_audience_graduates_keeps_listings_for_graduates_or_both(client):
    for audience in Audience:
        ListingFactory(title=audience.label, audience=audience)
    assert sorted(titles(client, audience="graduates")) == ["Graduates", "Students and graduates"]


def test_visa_filter_keeps_listings_accepting_that_visa_or_any(client):
    ListingFactory(title="J-1 and B-1", visas=["j1", "b1"])
    ListingFactory(title="B-1 and B-2", visas=["b1", "b2"])
    ListingFactory(title="Any visa", visas=[])  # none ticked: "accepts any visa status"
    assert sorted(titles(client, visa="j1")) == ["Any visa", "J-1 and B-1"]


def test_letter_filter(client):
    ListingFactory(title="Letter", letter_possible=True)
    ListingFactory(title="No letter", letter_possible=False)
    assert titles(client, letter="on") == ["Letter"]


def test_open_only_keeps_a_listing_with_a_seat_and_a_deadline_from_today(client):
    slot_starting(ListingFactory(title="Deadline today"), days(30), application_deadline=days(0))
    ListingFactory(title="No slots")
    assert titles(client, open_only="on") == ["Deadline today"]


def test_open_only_drops_a_slot_past_its_deadline(client):
    slot_starting(ListingFactory(title="Deadline passed"), days(30), application_deadline=days(-1))
    assert titles(client, open_only="on") == []


def test_open_only_drops_a_full_slot(client):
    slot_starting(ListingFactory(title="Full"), days(30), capacity=2, seats_taken=2)
    slot_starting(ListingFactory(title="One seat left"), days(30), capacity=2, seats_taken=1)
    assert titles(client, open_only="on") == ["One seat left"]


def test_filters_combine(client):
    ListingFactory(title="Free cardiology", specialty=Specialty.CARDIOLOGY, fee_usd=0)
    ListingFactory(title="Paid cardiology", specialty=Specialty.CARDIOLOGY, fee_usd=900)
    ListingFactory(title="Free medicine", fee_usd=0)
    assert titles(client, specialty="cardiology", free="on") == ["Free cardiology"]


# Keywords: full-text search on title, description, specialty, institution and city.

def test_keywords_match_the_title(client):
    ListingFactory(title="Wilderness medicine elective")
    ListingFactory(title="Internal medicine observership")
    assert titles(client, q="wilderness") == ["Wilderness medicine elective"]


def test_keywords_match_the_description(client):
    ListingFactory(title="Telehealth", description="Weekly telemedicine clinics with the attending.")
    ListingFactory(title="Wards")
    assert titles(client, q="telemedicine") == ["Telehealth"]


def test_keywords_match_the_specialty_label(client):
    ListingFactory(title="Skin", specialty=Specialty.DERMATOLOGY)
    ListingFactory(title="Wards")
    assert titles(client, q="dermatology") == ["Skin"]


def test_keywords_match_the_institution_name(client):
    ListingFactory(title="Mercy", institution=InstitutionFactory(name="Mercy General Hospital"))
    ListingFactory(title="Riverside")
    assert titles(client, q="mercy") == ["Mercy"]


def test_keywords_match_the_city(client):
    ListingFactory(title="Texas", city="Galveston", state="TX")
    ListingFactory(title="Illinois")
    assert titles(client, q="galveston") == ["Texas"]


def test_keywords_stem_english_words(client):
    ListingFactory(title="Pediatric rotations in community clinics")
    assert titles(client, q="clinic rotation") == ["Pediatric rotations in community clinics"]


def test_a_title_match_ranks_above_a_description_only_match(client):
    described = ListingFactory(title="Pulmonary clinic", description="Includes the sleep lab.")
    slot_starting(described, days(10))  # sooner, so only the rank can put the other first
    ListingFactory(title="Sleep medicine observership")
    assert titles(client, q="sleep") == ["Sleep medicine observership", "Pulmonary clinic"]


# Sorts.

def test_soonest_sort_orders_by_the_next_upcoming_start_and_puts_listings_without_one_last(client):
    later, sooner = ListingFactory(title="Later"), ListingFactory(title="Sooner")
    slot_starting(later, days(90))
    slot_starting(later, days(-3), application_deadline=days(-10))  # started already: not upcoming
    slot_starting(sooner, days(30))
    slot_starting(sooner, days(120))
    ListingFactory(title="No slots")
    past_only = ListingFactory(title="Past only")
    slot_starting(past_only, days(-3), application_deadline=days(-10))
    assert titles(client, sort="soonest") == ["Sooner", "Later", "No slots", "Past only"]


def test_a_slot_starting_today_is_upcoming(client):
    slot_starting(ListingFactory(title="Tomorrow"), days(1), application_deadline=days(0))
    slot_starting(ListingFactory(title="Today"), days(0), application_deadline=days(0))
    assert titles(client, sort="soonest") == ["Today", "Tomorrow"]


# A zone 7-8 hours behind New York and one 18-19 hours ahead: at any instant one of them is on
# another day than the site, as UTC (Django's session zone) is every evening from 19:00.
@pytest.mark.parametrize("session_zone", ["Etc/GMT+12", "Etc/GMT-14"])
def test_upcoming_means_from_the_sites_day_whatever_the_database_sessions_zone(session_zone):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE %s", [session_zone])
    today, yesterday = ListingFactory(title="Today"), ListingFactory(title="Yesterday")
    slot_starting(today, days(0), application_deadline=days(0))
    slot_starting(today, days(5))
    slot_starting(yesterday, days(-1), application_deadline=days(-1))
    Listing.objects.update(next_start=days(-1))  # as if the hourly refresh had not run since
    listings_refresh_next_start()
    assert dict(Listing.objects.values_list("title", "next_start")) == {
        "Today": days(0), "Yesterday": None}


def test_fee_sort_orders_by_fee_ascending(client):
    for fee in (900, 0, 300):
        ListingFactory(title=f"${fee}", fee_usd=fee)
    assert titles(client, sort="fee") == ["$0", "$300", "$900"]


def test_fee_sort_applies_to_keyword_searches_too(client):
    ListingFactory(title="Sleep medicine", fee_usd=800)
    ListingFactory(title="Pulmonary", description="Includes the sleep lab.", fee_usd=100)
    assert titles(client, q="sleep", sort="fee") == ["Pulmonary", "Sleep medicine"]


def test_relevance_without_keywords_falls_back_to_soonest(client):
    slot_starting(ListingFactory(title="Later"), days(90))
    slot_starting(ListingFactory(title="Sooner"), days(30))
    assert titles(client, sort="relevance") == ["Sooner", "Later"]


def test_without_a_sort_keywords_order_by_relevance(client):
    slot_starting(ListingFactory(title="Pulmonary", description="Includes the sleep lab."), days(10))
    slot_starting(ListingFactory(title="Sleep medicine"), days(90))
    assert titles(client, q="sleep") == ["Sleep medicine", "Pulmonary"]


# Never shown: anything unpublished, or of an unverified institution.

@pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.SUBMITTED,
                                    ListingStatus.RETURNED, ListingStatus.ARCHIVED])
def test_an_unpublished_listing_never_appears(client, coordinator, status):
    ListingFactory(title="Hidden observership", status=status,
                   institution=coordinator.coordinator.institution)
    client.force_login(coordinator)  # not even to the coordinator who wrote it
    assert titles(client) == []
    assert titles(client, q="hidden") == []


def test_a_published_listing_of_an_unverified_institution_never_appears(client):
    ListingFactory(title="Hidden observership", institution=InstitutionFactory(verified_at=None))
    assert titles(client) == []
    assert titles(client, q="hidden") == []


# Bad input: a field error, the other filters still applied, never a 500.

@pytest.mark.parametrize(("param", "value", "error"), [
    ("max_fee", "-5", "Ensure this value is greater than or equal to 0."),
    ("max_fee", "lots", "Enter a whole number."),
    ("start_month", "2026-13", "Enter a month as YYYY-MM, for example 2026-09."),
    ("specialty", "nope", "Select a valid choice. nope is not one of the available choices."),
    ("sort", "random", "Select a valid choice. random is not one of the available choices."),
    ("open_only", "maybe", "Leave this box ticked or unticked."),
    ("q", "\x00", "Null characters are not allowed."),
])
def test_an_invalid_parameter_is_shown_and_ignored(client, param, value, error):
    ListingFactory(title="Observership")
    response = search(client, **{param: value})
    assert response.context["form"].errors == {param: [error]}
    assert [listing.title for listing in response.context["page"].object_list] == ["Observership"]
    assert "These filters were ignored" in response.content.decode()


@pytest.mark.parametrize("param", ["specialty", "type", "state", "start_month", "duration", "max_fee",
                                   "audience", "visa", "hands_on", "free", "letter", "open_only", "sort"])
def test_a_nul_byte_in_any_parameter_is_a_field_error(client, param):
    response = search(client, **{param: "a\x00b"})
    assert list(response.context["form"].errors) == [param]


def test_a_nul_byte_in_the_page_number_gives_the_first_page(client):
    assert search(client, page="\x00").context["page"].number == 1


def test_web_search_syntax_never_fails(client):
    ListingFactory(title="Cardiology observership")
    assert titles(client, q='"cardiology -" OR & | ! ( ) :* \\') == ["Cardiology observership"]


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99", "1.5", ""])
def test_an_invalid_page_number_gives_a_page_not_an_error(client, page):
    ListingFactory()
    assert search(client, page=page).context["page"].number == 1


# Pagination.

def test_results_are_paginated_by_twenty_and_the_next_link_keeps_the_query(client):
    for n in range(21):
        slot_starting(ListingFactory(title=f"Free {n:02}", fee_usd=0), days(10 + n))
    response = search(client, free="on", sort="soonest")
    page = response.context["page"]
    assert (page.paginator.count, len(page.object_list)) == (21, 20)
    assert 'href="?free=on&amp;sort=soonest&amp;page=2"' in response.content.decode()
    assert titles(client, free="on", sort="soonest", page="2") == ["Free 20"]


# What a result shows.

def test_a_result_card_shows_the_facts_an_applicant_compares(client):
    listing = ListingFactory(title="Sub-internship in surgery", rotation_type=RotationType.SUB_INTERNSHIP,
                             specialty=Specialty.GENERAL_SURGERY, fee_usd=0, duration_weeks=4,
                             audience=Audience.STUDENTS, letter_possible=True, city="Galveston", state="TX",
                             institution=InstitutionFactory(name="Gulf Coast Medical Center"))
    slot_starting(listing, days(40), capacity=3, seats_taken=1)
    slot_starting(listing, days(70), capacity=2)
    card = search(client).content.decode()
    for text in [f'href="{reverse("rotations:listing_detail", args=[listing.pk])}"', "Sub-internship in surgery",
                 "Gulf Coast Medical Center · Galveston, TX", "General Surgery", "Hands-on", "4 weeks",
                 "<dt>Fee</dt><dd>Free</dd>", "<dt>Open to</dt><dd>Students</dd>",
                 "<dt>Letter</dt><dd>Possible</dd>", f'<time datetime="{days(40):%Y-%m-%d}">',
                 "<dt>Seats left</dt><dd>4</dd>", "1 rotation"]:
        assert text in card


def test_a_paid_fee_is_shown_in_dollars(client):
    ListingFactory(fee_usd=12500)
    assert "<dt>Fee</dt><dd>$12,500</dd>" in search(client).content.decode()


def test_seats_left_counts_only_open_slots(client):
    listing = ListingFactory()
    slot_starting(listing, days(30), capacity=5, seats_taken=2)
    slot_starting(listing, days(30), capacity=4, application_deadline=days(-1))
    assert [row.seats_open for row in search(client).context["page"].object_list] == [3]


def test_no_results_says_what_to_do(client):
    ListingFactory(specialty=Specialty.INTERNAL_MEDICINE)
    page = search(client, specialty="urology").content.decode()
    assert "0 rotations" in page
    assert "No rotations match; remove a filter." in page


# HTMX.

def test_an_htmx_request_gets_the_results_fragment_only(client):
    ListingFactory(title="Cardiology observership")
    response = client.get(URL, {"q": "cardiology"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert '<form' not in page
    assert "Cardiology observership" in page
    assert "HX-Request" in response["Vary"]


def test_an_htmx_history_restore_gets_the_whole_page(client):
    response = client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


def test_the_full_page_has_a_get_form_that_works_without_javascript(client):
    page = search(client).content.decode()
    assert '<form method="get" action="/listings/" class="search-form"' in page
    assert '<button type="submit">Search</button>' in page
    assert 'aria-live="polite"' in page


# Constant queries (STYLE.md rule 12): one listing or fifteen, each with two slots.

def _listing_with_two_slots(n):
    listing = ListingFactory(title=f"Observership {n}")
    slot_starting(listing, days(30 + n))
    slot_starting(listing, days(60 + n))


# What changed since the search index looked (rotations/search_index.py), the page's listings;
# signed in, the user and unread count (the session comes from the cache). Committed, as the index
# reads only what is.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("logged_in", "queries"), [(False, 2), (True, 4)])
def test_the_search_page_takes_the_same_queries_for_one_or_fifteen_results(
        client, applicant, django_assert_num_queries, logged_in, queries):
    if logged_in:
        client.force_login(applicant)
    _listing_with_two_slots(0)
    params = {"q": "observership", "sort": "soonest"}
    client.get(URL, params)  # warm the per-process caches before counting
    for count in (1, 15):
        for n in range(1, count):
            _listing_with_two_slots(n)
        listings_changed()  # count an answer computed afresh, not one from the search cache
        search_cards.cards.forget()  # and cards drawn afresh
        with django_assert_num_queries(queries):
            response = client.get(URL, params)
        assert len(response.context["page"].object_list) == count
        # Shown again, the cards kept for these versions of the listings: their rows are not read.
        listings_changed()
        with django_assert_num_queries(queries - 1):
            response = client.get(URL, params)
        assert response.content.decode().count('class="search-card"') == count


def test_a_word_still_being_typed_finds_listings_by_prefix(client):
    wanted = ListingFactory(title="Cardiology Research Rotation", specialty="cardiology")
    ListingFactory(title="Pediatrics Clinical Elective", specialty="pediatrics", description="Wards.")
    response = client.get(URL, {"q": "cardio"})
    assert [listing.pk for listing in response.context["page"].object_list] == [wanted.pk]


@pytest.mark.parametrize("q", ["'", "a & b", "!!!", "\\\\", "x:*", "(", "<->"])
def test_tsquery_syntax_in_the_search_box_is_harmless(client, q):
    assert client.get(URL, {"q": q}).status_code == 200


def test_the_state_filter_offers_the_states_dc_and_territories_only(client):
    from rotations.search import SearchForm

    codes = [code for code, _ in SearchForm().fields["state"].choices if code]
    assert len(codes) == 51 + 5  # the 50 states and DC, then AS, GU, MP, PR, VI
    assert {"DC", "PR", "AK"} <= set(codes)
    assert not {"AA", "AE", "AP", "FM"} & set(codes)  # military mail codes are not places


def test_a_listing_cannot_be_placed_at_a_military_mail_code():
    from django.core.exceptions import ValidationError

    listing = ListingFactory.build(state="AE")
    with pytest.raises(ValidationError) as error:
        listing.clean_fields(exclude=["institution", "search_vector"])
    assert error.value.message_dict["state"] == ["Choose a state, the District of Columbia or a US territory."]
