"""The search index (rotations/search_index.py) catches up with every committed change before it
answers, and never holds what a transaction has not committed.

Each test searches once (building the index), changes listings the way the site does, then
searches again: the answer must be the index's own (not the queries' fallback) and current.
"""

import re
import runpy
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.http import QueryDict
from django.utils import timezone

from institutions.models import Institution, Preceptor
from rotations import search_index, tsquery
from rotations.choices import ListingStatus
from rotations.models import Listing, Slot
from rotations.search import SearchForm, listing_search
from rotations.services import listing_transition, listings_refresh_search

from .factories import AdminFactory, ListingFactory, PreceptorFactory, SlotFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the index reads only committed rows


def found(query: str = "", **params) -> list[int]:
    form = SearchForm(QueryDict(query).copy() | params if params else QueryDict(query))
    assert form.is_valid(), form.errors
    results = listing_search(form.cleaned_data)
    ids = [listing.pk for listing in results[0:50]]
    assert results.count() == len(ids)
    return ids


def days(n):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def cardiology():
    listing = ListingFactory(title="Cardiology Observership")
    SlotFactory(listing=listing, start_date=days(40), application_deadline=days(20), capacity=2)
    return listing


def test_a_listing_published_since_is_found_and_an_archived_one_is_not(cardiology, index_answers):
    assert found("q=cardiology") == [cardiology.pk]
    pending = ListingFactory(title="Cardiology Elective", status=ListingStatus.SUBMITTED)
    SlotFactory(listing=pending, start_date=days(50))
    listing_transition(listing=pending, action="publish", by=AdminFactory())
    assert found("q=cardiology") == [cardiology.pk, pending.pk]
    listing_transition(listing=cardiology, action="archive", by=AdminFactory())
    assert found("q=cardiology") == [pending.pk]
    assert len(index_answers) == 3 and None not in index_answers


def test_seats_taken_on_a_slot_take_the_listing_out_of_open_seats(cardiology, index_answers):
    assert found("open_only=on") == [cardiology.pk]
    Slot.objects.filter(listing=cardiology).update(seats_taken=2)  # as matching's trigger does on acceptance
    assert found("open_only=on") == []
    assert found() == [cardiology.pk]
    assert None not in index_answers


def test_a_deadline_passed_since_the_seats_were_counted_is_asked_of_the_slots(cardiology, index_answers):
    stale = ListingFactory(title="Stale Cardiology")
    SlotFactory(listing=stale, start_date=days(5), application_deadline=days(-1), capacity=2)
    Listing.objects.filter(pk=stale.pk).update(seats_open=2, seats_open_until=days(-1))  # as counted yesterday
    assert found("open_only=on") == [cardiology.pk]
    assert None not in index_answers


def test_an_institution_no_longer_verified_takes_its_listings_out(cardiology, index_answers):
    assert found("q=cardiology") == [cardiology.pk]
    Institution.objects.filter(pk=cardiology.institution_id).update(verified_at=None)
    assert found("q=cardiology") == []
    Institution.objects.filter(pk=cardiology.institution_id).update(verified_at=timezone.now())
    assert found("q=cardiology") == [cardiology.pk]
    assert None not in index_answers


def test_changed_words_are_matched_as_they_now_read(cardiology, index_answers):
    assert found("q=cardio") == [cardiology.pk]
    Listing.objects.filter(pk=cardiology.pk).update(title="Nephrology Observership", specialty="nephrology")
    listings_refresh_search(ids=[cardiology.pk])
    added = ListingFactory(title="Dermatology Clinic")
    assert found("q=cardio") == []
    assert found("q=nephro") == [cardiology.pk]
    assert found("q=dermatology clinic") == [added.pk]
    assert found("q=observership", sort="relevance") == [cardiology.pk]
    assert None not in index_answers


def test_filters_and_sorts_follow_changed_facts(cardiology, index_answers):
    cheap = ListingFactory(title="Cheap Cardiology", fee_usd=100)
    SlotFactory(listing=cheap, start_date=days(60))
    assert found("sort=fee&max_fee=5000") == sorted([cardiology.pk, cheap.pk],
                                                     key=lambda pk: Listing.objects.get(pk=pk).fee_usd)
    Listing.objects.filter(pk=cheap.pk).update(fee_usd=9000)
    assert found("sort=fee&max_fee=5000") == [cardiology.pk]
    Listing.objects.filter(pk=cheap.pk).update(fee_usd=0)
    assert found("sort=fee") == [cheap.pk, cardiology.pk]
    assert found("free=on") == [cheap.pk]
    assert None not in index_answers


def test_a_deleted_listing_is_never_shown_and_once_counted_deleted_the_index_is_built_afresh(cardiology, index_answers):
    other = ListingFactory(title="Cardiology Research")
    assert sorted(found("q=cardiology")) == sorted([cardiology.pk, other.pk])
    Listing.objects.filter(pk=other.pk).delete()
    form = SearchForm(QueryDict("q=cardiology"))
    assert form.is_valid()
    # Before PostgreSQL's statistics count the deletion: left off the page.
    assert [listing.pk for listing in listing_search(form.cleaned_data)[0:20]] == [cardiology.pk]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")  # sent when this statement ends, not within seconds
    assert found("q=cardiology") == [cardiology.pk]  # counted too: found() checks the count
    assert None not in index_answers


def test_a_transaction_that_has_written_searches_by_query_and_leaves_the_index_clean(cardiology, index_answers):
    assert found("q=cardiology") == [cardiology.pk]
    with pytest.raises(RuntimeError), transaction.atomic():
        ListingFactory(title="Cardiology Never Committed")
        assert len(found("q=cardiology")) == 2  # its own row, seen by the query
        assert index_answers[-1] is None
        raise RuntimeError("rolled back")
    assert found("q=cardiology") == [cardiology.pk]
    assert index_answers[-1] is not None


def test_more_changed_listings_than_the_prepared_catch_up_reads_are_all_read(cardiology, index_answers):
    assert found("q=cardiology") == [cardiology.pk]
    columns = ", ".join(field.column for field in Listing._meta.concrete_fields if not field.primary_key)
    with connection.cursor() as cursor:  # copies of the listing, more than one catch-up's limit
        cursor.execute(f"INSERT INTO rotations_listing ({columns}) SELECT {columns} FROM rotations_listing, "
                       f"generate_series(1, %s) WHERE id = %s", [search_index.CATCH_UP_LIMIT + 5, cardiology.pk])
    form = SearchForm(QueryDict("q=cardiology"))
    assert form.is_valid()
    assert listing_search(form.cleaned_data).count() == search_index.CATCH_UP_LIMIT + 6
    assert None not in index_answers


def test_a_kept_card_is_drawn_again_once_what_it_shows_has_changed(client, cardiology, index_answers):
    def card(n):  # another URL each time: never the anonymous cache's answer
        page = client.get("/listings/", {"q": "cardiology", "n": n}).content.decode()
        return re.search(r'<article class="search-card">.*?</article>', page, re.S).group()

    first = card(1)
    assert "Cardiology Observership" in first and "<dd>2</dd>" in first
    assert card(2) == first
    Listing.objects.filter(pk=cardiology.pk).update(fee_usd=1234)
    assert "$1,234" in card(3)
    Institution.objects.filter(pk=cardiology.institution_id).update(name="Renamed Hospital")
    assert "Renamed Hospital" in card(4)
    Slot.objects.filter(listing=cardiology).update(seats_taken=2)
    assert "None open" in card(5)
    assert None not in index_answers


def test_a_kept_api_item_is_serialized_again_once_what_it_shows_has_changed(client, cardiology, index_answers):
    def item(n):  # another URL each time: never the anonymous cache's answer
        return client.get("/api/listings/", {"q": "cardiology", "n": n}).json()["results"][0]

    first = item(1)
    assert first["preceptors"] == [] and first["slots"][0]["offer_valid_days"] != 9
    assert item(2) == first
    Slot.objects.filter(listing=cardiology).update(offer_valid_days=9, end_date=days(70))
    assert (item(3)["slots"][0]["offer_valid_days"], item(4)["slots"][0]["end_date"]) == (9, days(70).isoformat())
    preceptor = PreceptorFactory(institution=cardiology.institution, full_name="Dr Ada Lovelace")
    cardiology.preceptors.add(preceptor)
    assert [p["full_name"] for p in item(5)["preceptors"]] == ["Dr Ada Lovelace"]
    Preceptor.objects.filter(pk=preceptor.pk).update(full_name="Dr Ada King", credentials="MD")
    assert [(p["full_name"], p["credentials"]) for p in item(6)["preceptors"]] == [("Dr Ada King", "MD")]
    cardiology.preceptors.remove(preceptor)
    assert item(7)["preceptors"] == []
    Institution.objects.filter(pk=cardiology.institution_id).update(website="https://example.org/new")
    assert item(8)["institution"]["website"] == "https://example.org/new"
    assert None not in index_answers


def test_keywords_in_web_search_syntax_are_answered_as_postgresql_reads_them(cardiology, index_answers):
    surgery = ListingFactory(title="Surgery Observership")
    neurology = ListingFactory(title="Neurology Clinic", specialty="neurology")
    # Each words' prefixes are or-ed in, as keyword_query does: "-surgery" excludes only where
    # the prefixes do not also match (they need "observership" and "surgery" both).
    assert sorted(found("q=observership+-surgery")) == sorted([cardiology.pk, surgery.pk])
    assert sorted(found("q=cardiology+or+neurology")) == sorted([cardiology.pk, neurology.pk])
    assert found('q="cardiology observership"') == [cardiology.pk]  # a phrase the prefixes answer
    assert None not in index_answers
    assert {cardiology.pk, neurology.pk} <= set(found('q="cardiology observership"+or+clinic'))
    assert index_answers[-1] is None  # a phrase beside "or": the query knows the words' positions
    assert found("q=the") == []  # only a stop word: PostgreSQL's reading is empty
    assert index_answers[-1] is None


@pytest.mark.parametrize(("text", "tree"), [
    ("'cardio':*", tsquery.Lexeme("cardio", True)),
    ("'medicin' & !'surgeri'", tsquery.Both(tsquery.Lexeme("medicin", False), tsquery.Not(tsquery.Lexeme("surgeri", False)))),
    ("'a' | 'b' & 'c'", tsquery.Either(tsquery.Lexeme("a", False),
                                       tsquery.Both(tsquery.Lexeme("b", False), tsquery.Lexeme("c", False)))),
    ("( 'a' | 'b' ) <-> 'c'", tsquery.Phrase(tsquery.Either(tsquery.Lexeme("a", False), tsquery.Lexeme("b", False)),
                                             tsquery.Lexeme("c", False))),
    ("'it''s'", tsquery.Lexeme("it's", False)),
    ("", None), ("'a' &", None), ("( 'a'", None), ("'a\\b'", None), ("'a':B", None),
])
def test_postgresqls_text_of_a_query_is_read_back_or_refused(text, tree):
    assert tsquery.parse(text) == tree


def test_a_gunicorn_worker_builds_the_index_and_draws_the_first_results_before_its_first_request(
        client, cardiology, django_assert_num_queries):
    search_index.forget()
    hooks = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    hooks["post_worker_init"](worker=None)
    assert search_index._index is not None and cardiology.pk in search_index._index.row_of
    client.get("/listings/", {"q": "nothingmatches"})  # the connection opened (and the catch-up prepared)
    # Its card and API item drawn already: only what changed since is asked of the database.
    with django_assert_num_queries(1):
        assert "Cardiology Observership" in client.get("/listings/", {"q": "cardiology"}).content.decode()
    with django_assert_num_queries(1):
        assert client.get("/api/listings/", {"q": "cardiology"}).json()["results"][0]["id"] == cardiology.pk
