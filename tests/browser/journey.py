"""What the browser journeys share: signing in, reading the flash messages, and looking at a page
as its users will (axe-core finds no serious or critical issue; with JOURNEY_SHOTS_DIR set, full-page
screenshots at 1280 and 375 px are saved there)."""

import os
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from ..factories import PASSWORD

SHOTS_DIR = os.environ.get("JOURNEY_SHOTS_DIR", "")
ANSWER_TIMEOUT = 15_000


def look(page: Page, name: str) -> None:
    violations = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
                  for v in Axe().run(page).response["violations"] if v["impact"] in {"serious", "critical"}]
    assert violations == [], f"axe-core on {page.url}"
    if SHOTS_DIR:
        Path(SHOTS_DIR).mkdir(parents=True, exist_ok=True)
        size = page.viewport_size or {"width": 1280, "height": 900}
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{SHOTS_DIR}/{name}-{width}.png", full_page=True)
        page.set_viewport_size(size)


def sign_in(page: Page, live_server, user) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("banner").get_by_role("button", name="Sign out")).to_be_visible(timeout=ANSWER_TIMEOUT)


def message(page: Page, text: str) -> None:
    expect(page.get_by_role("region", name="Messages")).to_contain_text(text, timeout=ANSWER_TIMEOUT)
