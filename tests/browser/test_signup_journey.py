"""The applicant's first visit in a real browser: sign up, verify the e-mail, log in, log out.

Also the accessibility of the entrance pages (axe-core: nothing serious or critical) and the
home page's console (no errors, nothing blocked by the Content Security Policy).

Each test drives Debian's Chromium through pytest-playwright's `page` against pytest-django's
`live_server`, which runs in this process: the e-mails it sends land in `django.core.mail.outbox`.
"""

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PASSWORD = "lantern-okapi-quartz-71"
VERIFY_HEADING = re.compile(r"verify your e-?mail", re.IGNORECASE)
CONFIRMATION_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+")


def _header(page: Page):
    return page.get_by_role("banner")


def _main(page: Page):
    return page.get_by_role("main")


def _sign_up(page: Page, live_server, email: str) -> None:
    """From the home page, follow "Sign up" and submit e-mail and password (twice)."""
    page.goto(live_server.url + "/")
    # A link styled as Pico's button (role="button"): announced, and so found, as a button.
    _header(page).get_by_role("button", name="Sign up", exact=True).click()
    expect(page).to_have_url(live_server.url + "/accounts/signup/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    _main(page).get_by_role("button", name=re.compile(r"^sign up$", re.IGNORECASE)).click()


def _log_in(page: Page, live_server, email: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    _main(page).get_by_role("button", name=re.compile(r"^(sign|log) in$", re.IGNORECASE)).click()


def _confirmation_path(email: str) -> str:
    """The path of the confirmation link in the one e-mail sent to `email`."""
    sent = [message for message in mail.outbox if email in message.to]
    assert len(sent) == 1, f"expected one verification e-mail to {email}, got {len(sent)}"
    match = CONFIRMATION_LINK.search(sent[0].body)
    assert match, f"no confirmation link in the e-mail:\n{sent[0].body}"
    # Only the path: the link's host is the configured site, not this test's live server.
    return urlsplit(match.group(0)).path


def test_applicant_signs_up_verifies_email_logs_in_and_out(page: Page, live_server):
    email = "amara.okafor@example.org"

    _sign_up(page, live_server, email)
    expect(page.get_by_role("heading", level=1)).to_have_text(VERIFY_HEADING)

    page.goto(live_server.url + _confirmation_path(email))
    _main(page).get_by_role("button", name="Confirm").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/confirm-email/"))

    _log_in(page, live_server, email)
    expect(page).to_have_url(live_server.url + "/applicant/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")

    _header(page).get_by_role("button", name="Sign out").click()
    expect(page).not_to_have_url(live_server.url + "/applicant/")
    if urlsplit(page.url).path == "/accounts/logout/":  # allauth's confirmation page, if shown
        _main(page).get_by_role("button").click()
    expect(_header(page).get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    expect(_header(page).get_by_role("button", name="Sign out")).to_have_count(0)


def test_login_before_verifying_the_email_does_not_reach_the_dashboard(page: Page, live_server):
    email = "tomas.reyes@example.org"
    _sign_up(page, live_server, email)
    expect(page.get_by_role("heading", level=1)).to_have_text(VERIFY_HEADING)

    _log_in(page, live_server, email)

    expect(page.get_by_role("heading", level=1)).to_have_text(VERIFY_HEADING)
    assert urlsplit(page.url).path != "/applicant/"
    page.goto(live_server.url + "/applicant/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def _serious_violations(results) -> list[dict]:
    return [v for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}"
                     f" <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:120]}")
    return "\n".join(lines)


@pytest.mark.parametrize("path", ["/", "/accounts/signup/", "/accounts/login/"],
                         ids=["home", "signup", "login"])
def test_page_has_no_serious_accessibility_violations(page: Page, live_server, path):
    page.goto(live_server.url + path)
    results = Axe().run(page)
    violations = _serious_violations(results)
    assert not violations, f"axe-core on {path}:\n{_describe(violations)}"


def test_home_page_has_no_console_errors_or_csp_violations(page: Page, live_server):
    # Listen before any of the page's code runs; an init script is not subject to the page's CSP.
    page.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', e =>"
        " window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"
    )
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))

    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")

    assert errors == []
    assert page.evaluate("window.__cspViolations") == []
