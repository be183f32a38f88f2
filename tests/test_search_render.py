"""The search page's cards, drawn by Jinja2, escape and word as Django's templates do."""

import pytest
from django.urls import reverse

from .factories import InstitutionFactory, ListingFactory

pytestmark = pytest.mark.django_db


def test_a_card_escapes_quotes_as_django_does(client):
    institution = InstitutionFactory(name="St. Mary's & \"Mercy\"")
    ListingFactory(institution=institution, title="Cardiology <b>'observer'</b>")
    page = client.get(reverse("rotations:search"), {"q": "cardiology"}).content.decode()
    assert "Cardiology &lt;b&gt;&#x27;observer&#x27;&lt;/b&gt;" in page
    assert "St. Mary&#x27;s &amp; &quot;Mercy&quot;" in page


def test_a_card_words_its_facts_as_the_listing_page_does(client):
    listing = ListingFactory(title="Nephrology elective", fee_usd=1200, duration_weeks=1, requires_step2=True,
                             min_step2_score=230, letter_possible=True)
    card = client.get(reverse("rotations:search"), {"q": "nephrology"}).content.decode()
    detail = client.get(reverse("rotations:listing_detail", args=[listing.pk])).content.decode()
    for words in ["$1,200", "1 week", "Step 2 CK passed with a score of 230 or more", "Possible"]:
        assert (card.count(f"<dd>{words}</dd>"), detail.count(f"<dd>{words}</dd>")) == (1, 1)
    assert f'<a href="/listings/{listing.pk}/">Nephrology elective</a>' in card
