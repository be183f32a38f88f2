"""Sharing letters with a program: at most four uploaded letters of one's own, a link that shows them
and serves the newest version, expiry and withdrawal, the access log (truncated addresses) and the
applicant's one notification when the program first opens the share."""

import re
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification, OutgoingEmail
from preceptors import services_letters as services
from preceptors.models import LetterAccess, LetterShare

from .factories import UserFactory, letter_request, letter_shared, letter_uploaded, messages_of, uploaded
from .letter_pdfs import clean_letter_pdf

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+?(/letters/(?:upload|shared)/[^/\s]+/)")
PROGRAM = {"program_name": "Mercy Hospital IM Residency", "recipient_email": "gme@mercy.example"}


def _share(applicant, letters, **data):
    return services.letter_share_create(applicant=applicant, letters=letters, **{**PROGRAM, **data})


def _program_link(share) -> str:
    """The link as the program receives it, from its e-mail."""
    email = OutgoingEmail.objects.filter(to=share.recipient_email, kind="letter_shared").latest("id")
    return LINK.search(email.text_body).group(1)


def _download_path(share, letter) -> str:
    return reverse("preceptors:letter_share_download", args=[_program_link(share).split("/")[-2], letter.pk])


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _letter_with_two_versions():
    """A waived letter whose author uploaded a first version, then a second one through the link
    of the confirmation e-mail; each version's text is unique."""
    first, second = (f"VERSION-{n}-{uuid.uuid4().hex}" for n in (1, 2))
    letter = letter_request(waived=True)
    services.letter_upload(letter=letter, upload=uploaded(clean_letter_pdf(first), name="letter.pdf"),
                           link_nonce=letter.link_nonce)
    confirmation = OutgoingEmail.objects.filter(to=letter.author_email, kind="letter_received").latest("id")
    author = Client()
    answer = author.post(LINK.search(confirmation.text_body).group(1),
                         {"confirm": "on", "file": uploaded(clean_letter_pdf(second), name="letter.pdf")}, follow=True)
    assert answer.status_code == 200 and letter.code in answer.text and "received" in answer.text
    assert list(letter.versions.values_list("number", flat=True)) == [2, 1]
    letter.refresh_from_db()
    return letter, first, second


# At most four, only uploaded, only one's own, never to oneself

def test_a_program_receives_at_most_four_letters_through_the_service():
    applicant = UserFactory()
    letters = [letter_uploaded(applicant=applicant) for _ in range(5)]
    with pytest.raises(ValidationError, match="at most 4 letters"):
        _share(applicant, letters)
    assert not LetterShare.objects.exists()
    assert not OutgoingEmail.objects.filter(to=PROGRAM["recipient_email"]).exists()
    share = _share(applicant, letters[:4])
    assert sorted(share.letters.values_list("pk", flat=True)) == sorted(letter.pk for letter in letters[:4])


def test_the_share_form_refuses_a_fifth_letter_with_a_clear_message(client):
    applicant = UserFactory()
    letters = [letter_uploaded(applicant=applicant) for _ in range(5)]
    client.force_login(applicant)
    url = reverse("preceptors:share_create")
    page = client.post(url, {**PROGRAM, "letters": [letter.pk for letter in letters]})
    assert page.status_code == 400
    assert "A program receives at most 4 letters from you." in page.text
    assert not LetterShare.objects.exists()
    done = client.post(url, {**PROGRAM, "letters": [letter.pk for letter in letters[:4]]})
    assert done.status_code == 302 and done.url == reverse("preceptors:letters")
    assert LetterShare.objects.get().letters.count() == 4
    assert any("Shared with Mercy Hospital IM Residency" in message for message in messages_of(client.get(done.url)))


def test_only_uploaded_letters_are_shared(client):
    applicant = UserFactory()
    done, awaited = letter_uploaded(applicant=applicant), letter_request(applicant=applicant)
    with pytest.raises(ValidationError, match="Only uploaded letters can be shared"):
        _share(applicant, [done, awaited])
    with pytest.raises(ValidationError, match="at least one letter"):
        _share(applicant, [])
    client.force_login(applicant)
    page = client.post(reverse("preceptors:share_create"), {**PROGRAM, "letters": [awaited.pk]})
    assert page.status_code == 400 and "Select a valid choice" in page.text
    assert not LetterShare.objects.exists()


def test_only_ones_own_letters_are_shared():
    mine, theirs = letter_uploaded(), letter_uploaded()
    with pytest.raises(PermissionDenied):
        _share(mine.applicant, [mine, theirs])
    assert not LetterShare.objects.exists()


@pytest.mark.parametrize("spelling", [str, str.upper, lambda email: f"  {email.title()} "])
def test_the_applicant_cannot_share_with_their_own_address(client, spelling):
    letter = letter_uploaded()
    applicant = letter.applicant
    with pytest.raises(ValidationError) as error:
        _share(applicant, [letter], recipient_email=spelling(applicant.email))
    assert "not with yourself" in " ".join(error.value.message_dict["recipient_email"])
    client.force_login(applicant)
    page = client.post(reverse("preceptors:share_create"), {
        **PROGRAM, "recipient_email": spelling(applicant.email), "letters": [letter.pk]})
    assert page.status_code == 400 and "not with yourself" in page.text
    assert not LetterShare.objects.exists()


# The program's link

def test_the_program_sees_the_letters_and_downloads_the_newest_version():
    letter, first, second = _letter_with_two_versions()
    share = letter_shared(letters=[letter])
    program = Client()
    page = program.get(_program_link(share))
    assert page.status_code == 200
    for expected in (letter.code, letter.author_name, "waived the right to see this letter", share.program_name):
        assert expected in page.text
    assert "no-store" in page["Cache-Control"]
    download_path = _download_path(share, letter)
    assert download_path in page.text
    response = program.get(download_path)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert f"{letter.code}.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/pdf"
    data = _content(response)
    assert data.startswith(b"%PDF-") and second.encode() in data and first.encode() not in data
    access = share.accesses.get(kind=LetterAccess.Kind.DOWNLOAD)
    assert (access.version.number, access.request, access.user) == (2, letter, None)


def test_a_link_for_another_letter_or_a_forged_link_serves_nothing():
    share, other = letter_shared(), letter_uploaded()
    program = Client()
    token = _program_link(share).split("/")[-2]
    assert program.get(reverse("preceptors:letter_share_download", args=[token, other.pk])).status_code == 404
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert program.get(reverse("preceptors:letter_share", args=[tampered])).status_code == 404
    assert program.get(reverse("preceptors:letter_share_download", args=[tampered, other.pk])).status_code == 404
    assert not LetterAccess.objects.exists()


def test_an_expired_link_shows_a_clear_page_and_serves_no_file():
    share = letter_shared()
    letter = share.letters.get()
    LetterShare.objects.filter(pk=share.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    program = Client()
    page = program.get(_program_link(share))
    assert page.status_code == 410
    assert "expired" in page.text and "share the letters again" in page.text
    assert letter.code not in page.text
    assert program.get(_download_path(share, letter)).status_code == 404
    assert not share.accesses.exists()


def test_the_applicant_withdraws_a_share_and_the_link_closes(client):
    share = letter_shared()
    letter, applicant = share.letters.get(), share.applicant
    program = Client()
    assert program.get(_program_link(share)).status_code == 200
    client.force_login(applicant)
    revoke = reverse("preceptors:share_revoke", args=[share.pk])
    assert revoke in client.get(reverse("preceptors:letters")).text
    response = client.post(revoke)
    assert response.status_code == 302 and response.url == reverse("preceptors:letters")
    share.refresh_from_db()
    assert share.revoked_at is not None
    page = program.get(_program_link(share))
    assert page.status_code == 410 and "The applicant withdrew these letters" in page.text
    assert letter.code not in page.text
    assert program.get(_download_path(share, letter)).status_code == 404
    letters_page = client.get(reverse("preceptors:letters")).text
    assert "Withdrawn on" in letters_page and "(withdrawn)" in letters_page
    assert revoke not in letters_page  # nothing left to withdraw
    assert client.post(revoke).status_code == 302  # again: harmless, the date stays
    assert LetterShare.objects.get(pk=share.pk).revoked_at == share.revoked_at


def test_another_applicant_cannot_withdraw_a_share(client):
    share = letter_shared()
    intruder = UserFactory()
    client.force_login(intruder)
    assert client.post(reverse("preceptors:share_revoke", args=[share.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.letter_share_revoke(share=share, by=intruder)
    share.refresh_from_db()
    assert share.revoked_at is None
    assert Client().get(_program_link(share)).status_code == 200


# The access log and the notification

def test_each_view_and_download_is_logged_with_a_truncated_address_the_applicant_sees(client):
    share = letter_shared()
    letter, applicant = share.letters.get(), share.applicant
    program = Client()
    assert program.get(_program_link(share), REMOTE_ADDR="203.0.113.77").status_code == 200
    download = program.get(_download_path(share, letter), REMOTE_ADDR="2001:db8:85a3:8d3:1319:8a2e:370:7348")
    assert download.status_code == 200
    _content(download)
    log = list(share.accesses.order_by("at", "id").values_list("kind", "ip_prefix", "request", "user"))
    assert log == [("view", "203.0.113.0/24", None, None), ("download", "2001:db8:85a3::/48", letter.pk, None)]
    client.force_login(applicant)
    page = client.get(reverse("preceptors:letters")).text
    for expected in ("Who opened them", "Opened the shared letters", "Downloaded", "203.0.113.0/24",
                     "2001:db8:85a3::/48", letter.code):
        assert expected in page
    assert "203.0.113.77" not in page and "1319:8a2e" not in page
    assert "Not opened yet" not in page


@pytest.mark.parametrize(("address", "prefix"), [
    ("203.0.113.77", "203.0.113.0/24"), ("10.1.2.255", "10.1.2.0/24"),
    ("2001:db8:1234:5678::1", "2001:db8:1234::/48"), ("::1", "::/48"), ("", ""), ("not an address", ""),
])
def test_an_address_is_truncated_to_its_network(address, prefix):
    assert services.truncated_ip(address) == prefix


def test_the_applicant_is_told_once_when_the_program_first_opens_the_share():
    share = letter_shared()
    applicant, letter = share.applicant, share.letters.get()
    opened = Notification.objects.filter(user=applicant, kind="letter_share_opened")
    assert not opened.exists()
    program = Client()
    program.get(_program_link(share))
    program.get(_program_link(share))
    _content(program.get(_download_path(share, letter)))
    assert share.accesses.count() == 3
    notice = opened.get()
    assert share.program_name in notice.title and notice.url == reverse("preceptors:letters")
    assert OutgoingEmail.objects.filter(to=applicant.email, kind="letter_share_opened").count() == 1
    # Another share is another first look.
    second = letter_shared(letters=[letter], program="Riverside Surgery", email="surgery@riverside.example")
    program.get(_program_link(second))
    assert opened.count() == 2


def test_a_program_that_never_opens_the_share_is_not_reported_and_the_page_says_so(client):
    share = letter_shared()
    client.force_login(share.applicant)
    page = client.get(reverse("preceptors:letters")).text
    assert "Not opened yet" in page and "Open until" in page
    assert not Notification.objects.filter(user=share.applicant, kind="letter_share_opened").exists()
