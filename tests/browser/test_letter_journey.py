"""A letter of recommendation from request to a program's download, in a real browser, through the real pages.

The applicant asks the preceptor of a completed placement for a letter, waiving the right to see it;
the author, who has no account, opens the e-mailed link and uploads a PDF; the applicant sees the
letter uploaded but cannot open it, and shares it with a program; the program's recipient opens the
e-mailed link and downloads the PDF; the applicant sees both looks in the access log. axe-core finds
no serious issue on each new page. Only the world is set up through factories: the completed
placement and its account-less preceptor.

Set JOURNEY_SHOTS_DIR to keep screenshots at 1280 and 375 px.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from notifications.models import OutgoingEmail
from preceptors.models import LetterAccess, LetterRequest, LetterStatus

from ..factories import PreceptorFactory, UserFactory, completed_placement
from ..letter_pdfs import clean_letter_pdf
from .journey import ANSWER_TIMEOUT, look, message, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AUTHOR_EMAIL = "ruth.adler@harbor-clinic.example"
RECIPIENT_EMAIL = "gme@mercy-hospital.example"
PROGRAM = "Mercy Hospital Internal Medicine Residency"
SPECIALTY = "Internal Medicine"
MESSAGE = "Thank you for the month on your team; the deadline on ERAS is September 25."
LETTER_ID = re.compile(r"LOR-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")
UPLOAD_PATH = re.compile(r"/letters/upload/[^/\s]+/")
SHARE_PATH = re.compile(r"/letters/shared/[^/\s]+/")


@pytest.fixture
def world():
    applicant = UserFactory(first_name="Amara", last_name="Okafor", email="amara.okafor@example.org")
    placement = completed_placement(applicant=applicant, slot__listing__title="Harbor Family Medicine Clerkship")
    listing = placement.slot.listing
    # The author answers the e-mailed link and has no account.
    author = PreceptorFactory(user=None, institution=listing.institution, full_name="Dr. Ruth Adler",
                              email=AUTHOR_EMAIL, title="Attending physician", department="Family Medicine")
    listing.preceptors.set([author])
    return {"applicant": applicant, "author": author, "placement": placement}








def _path_in_email(to: str, kind: str, pattern: re.Pattern) -> str:
    """The path of the link in the one e-mail of `kind` to `to` (its host is the configured site, not the live server)."""
    sent = list(OutgoingEmail.objects.filter(to=to, kind=kind))
    assert len(sent) == 1, f"expected one {kind} e-mail to {to}, got {[e.kind for e in OutgoingEmail.objects.filter(to=to)]}"
    match = pattern.search(sent[0].text_body)
    assert match, f"no link in the e-mail:\n{sent[0].text_body}"
    return match.group(0)


def _letter_article(page: Page, code: str):
    return page.get_by_role("region", name="Your letters").get_by_role("article").filter(has_text=code)


def _ask(page: Page, live_server) -> str:
    page.goto(live_server.url + "/applicant/letters/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Letters of recommendation")
    expect(page.get_by_role("main")).to_contain_text("No letter requested yet.")
    look(page, "letter-letters-empty")
    page.get_by_role("button", name="Ask for a letter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for a letter of recommendation")
    look(page, "letter-new")
    author = page.get_by_role("group", name="Author", exact=True)
    author.get_by_label("Dr. Ruth Adler, Attending physician").check()
    page.get_by_label("Specialty label").fill(SPECIALTY)
    page.get_by_label("Message to the author (optional)").fill(MESSAGE)
    waiver = page.get_by_role("group", name="Your right to see the letter")
    expect(waiver.get_by_label("I waive my right to see this letter")).to_be_checked()
    page.get_by_role("button", name="Send the request").click()
    message(page, "requested: we e-mailed Dr. Ruth Adler the request and the upload link.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Letters of recommendation")
    letter = LetterRequest.objects.get(applicant__email="amara.okafor@example.org")
    assert LETTER_ID.fullmatch(letter.code)
    assert (letter.waived, letter.specialty_label, letter.message, letter.author_email) == (
        True, SPECIALTY, MESSAGE, AUTHOR_EMAIL)
    message(page, f"Letter {letter.code} requested")
    article = _letter_article(page, letter.code)
    expect(article).to_contain_text("Dr. Ruth Adler")
    expect(article).to_contain_text("Requested on")
    expect(article).to_contain_text("Waived: you will not see this letter")
    look(page, "letter-letters-requested")
    return letter.code


def _upload(browser: Browser, live_server, code: str, pdf: Path) -> None:
    """The author, in a browser that never signed in, through the link of the request e-mail."""
    link = _path_in_email(AUTHOR_EMAIL, "letter_request", UPLOAD_PATH)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(live_server.url + link)
        expect(page.get_by_role("heading", level=1)).to_have_text("Letter of recommendation for Amara Okafor")
        main = page.get_by_role("main")
        expect(main).to_contain_text(code)
        expect(main).to_contain_text(SPECIALTY)
        expect(main).to_contain_text("Waived: the applicant will never see this letter.")
        expect(main).to_contain_text(MESSAGE)
        look(page, "letter-upload")
        page.get_by_label("I am the author named above, and this is my letter for this applicant.").check()
        page.get_by_label("The letter (PDF)").set_input_files(pdf)
        page.get_by_role("button", name="Upload the letter").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, Dr. Ruth Adler", timeout=ANSWER_TIMEOUT)
        expect(page.get_by_role("main")).to_contain_text(f"Your letter {code} for Amara Okafor has been received.")
        look(page, "letter-uploaded")
        # The link is used up: opening it again says so, and offers no form.
        page.goto(live_server.url + link)
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Letter {code} is already uploaded")
        expect(page.get_by_role("button", name="Upload the letter")).to_have_count(0)
        expect(page.get_by_role("main")).to_contain_text("This link was used to upload the letter.")
        look(page, "letter-upload-used")
    finally:
        context.close()


def _see_uploaded_but_closed(page: Page, live_server, code: str) -> int:
    page.goto(live_server.url + "/applicant/letters/")
    letter = LetterRequest.objects.get(code=code)
    assert letter.status == LetterStatus.UPLOADED
    article = _letter_article(page, code)
    expect(article).to_contain_text("Uploaded on")
    expect(article).to_contain_text("Waived: you will not see this letter")
    expect(page.locator(f"a[href*='/letters/{letter.pk}/download/']")).to_have_count(0)
    expect(article.get_by_role("button", name=re.compile("^Download"))).to_have_count(0)
    # Asking for the file anyway gets nothing.
    response = page.request.get(live_server.url + f"/letters/{letter.pk}/download/")
    assert response.status == 404
    assert not response.body().startswith(b"%PDF-")
    return letter.pk


def _share(page: Page, code: str) -> None:
    section = page.get_by_role("region", name="Share letters with a program")
    section.get_by_label(f"{code} · Dr. Ruth Adler").check()
    section.get_by_label("Program").fill(PROGRAM)
    section.get_by_label("Recipient's e-mail").fill(RECIPIENT_EMAIL)
    section.get_by_role("button", name="Share", exact=True).click()
    message(page, f"Shared with {PROGRAM}: we e-mailed {RECIPIENT_EMAIL} the link.")
    shared = page.get_by_role("region", name="Share letters with a program").get_by_role("article").filter(has_text=PROGRAM)
    expect(shared).to_contain_text(code)
    expect(shared).to_contain_text("Not opened yet.")
    look(page, "letter-letters-shared")


def _program_downloads(browser: Browser, live_server, code: str, pdf: bytes) -> None:
    """The program's recipient, in a browser that never signed in, through the link of the share e-mail."""
    link = _path_in_email(RECIPIENT_EMAIL, "letter_shared", SHARE_PATH)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(live_server.url + link)
        expect(page.get_by_role("heading", level=1)).to_have_text("Letters of recommendation for Amara Okafor")
        main = page.get_by_role("main")
        expect(main).to_contain_text(PROGRAM)
        article = main.get_by_role("article").filter(has_text=code)
        expect(article).to_contain_text("Dr. Ruth Adler")
        expect(article).to_contain_text("The applicant waived the right to see this letter.")
        look(page, "letter-share")
        with page.expect_download(timeout=ANSWER_TIMEOUT) as info:
            article.get_by_role("button", name=re.compile("^Download")).click()
        download = info.value
        assert download.suggested_filename == f"{code}.pdf"
        data = Path(download.path()).read_bytes()
        assert data.startswith(b"%PDF-")
        assert data == pdf
    finally:
        context.close()


def test_letter_is_requested_uploaded_without_account_shared_and_downloaded(page: Page, browser: Browser, live_server,
                                                                            world, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    pdf = clean_letter_pdf("To the program director: I recommend Amara Okafor without reservation.")
    pdf_path = tmp_path / "adler-letter.pdf"
    pdf_path.write_bytes(pdf)

    sign_in(page, live_server, world["applicant"])
    code = _ask(page, live_server)

    _upload(browser, live_server, code, pdf_path)

    # The applicant hears of the upload, sees it, and still cannot open the waived letter.
    pk = _see_uploaded_but_closed(page, live_server, code)
    _share(page, code)

    _program_downloads(browser, live_server, code, pdf)

    page.reload()
    shared = page.get_by_role("region", name="Share letters with a program").get_by_role("article").filter(has_text=PROGRAM)
    log = shared.get_by_role("table", name="Who opened them")
    expect(log.get_by_role("row")).to_have_count(3)  # the header, a view, a download
    expect(log.get_by_role("row").filter(has_text="Opened the shared letters")).to_have_count(1)
    expect(log.get_by_role("row").filter(has_text="Downloaded").filter(has_text=code)).to_have_count(1)
    expect(page.locator(f"a[href*='/letters/{pk}/download/']")).to_have_count(0)
    look(page, "letter-letters-log")

    accesses = LetterAccess.objects.filter(share__program_name=PROGRAM).order_by("at", "id")
    assert [(a.kind, a.request_id, a.user_id) for a in accesses] == [
        (LetterAccess.Kind.VIEW, None, None), (LetterAccess.Kind.DOWNLOAD, pk, None)]
    # The applicant's own failed download was refused before anything was recorded.
    assert not LetterAccess.objects.filter(user=world["applicant"]).exists()
