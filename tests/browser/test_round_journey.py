"""A match round from rank lists to placements, in a real browser, through the real pages.

The applicant ranks three slots with the keyboard only (Tab, Enter, Space: the Add and Move
buttons reload the page, and the moved slot's button should keep the focus); the coordinator ranks
each slot's applicants; the admin runs the match (Celery is eager in the tests, so the run is done
when the page answers; a second run, started by the test while the page polls, shows the progress
bar and the HTMX refresh), reads the figures and publishes; the applicant reads their placement and
why the slots they ranked higher went to others. axe-core finds no serious issue on each page.

Only the world is set up through factories and services: the open round over three one-seat slots
of one institution, and two rivals whose certified lists give the explanations something to say.

Set JOURNEY_SHOTS_DIR to keep screenshots at 1280 and 375 px.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from matching import selectors_rounds as selectors
from matching import services_rounds
from matching.models import Application, MatchRound, RankList, RoundMatch, RoundStatus, SlotRanking, Status

from ..factories import AdminFactory, CoordinatorFactory, ProfileFactory, SlotFactory
from .journey import ANSWER_TIMEOUT, look, message, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROUND = "Lakeside summer electives"
CARDIO, NEPHRO, GERI = "Lakeside Cardiology Elective", "Lakeside Nephrology Elective", "Lakeside Geriatrics Observership"
AMARA, BASHIR, WEI = "Amara Okafor", "Bashir Haddad", "Wei Chen"
# What document.activeElement is, and which ranked row (its hidden input's id) holds it.
FOCUSED = """() => {
  const e = document.activeElement;
  const row = e && e.closest('li');
  const input = row && row.querySelector('input[type=hidden]');
  return {tag: e ? e.tagName : '', text: e ? (e.textContent || '').replace(/\\s+/g, ' ').trim() : '',
          value: e && e.value || '', row: input ? input.value : ''};
}"""


def _applicant(first, last):
    return ProfileFactory(user__first_name=first, user__last_name=last,
                          user__email=f"{first.lower()}.{last.lower()}@example.org").user


@pytest.fixture
def world():
    coordinator = CoordinatorFactory(user__first_name="Dana", user__last_name="Whitfield",
                                     institution__name="Lakeside General Hospital").user
    institution = coordinator.coordinator.institution
    today = timezone.localdate()
    slots = {title: SlotFactory(listing__institution=institution, listing__title=title, capacity=1,
                                start_date=today + timedelta(days=60 + 30 * n), end_date=today + timedelta(days=87 + 30 * n),
                                application_deadline=today + timedelta(days=30))
             for n, title in enumerate([CARDIO, NEPHRO, GERI])}
    admin = AdminFactory(first_name="Priya", last_name="Raman")
    now = timezone.now()
    match_round = services_rounds.round_create(by=admin, name=ROUND, slots=list(slots.values()),
                                               ranking_opens_at=now - timedelta(days=1),
                                               ranking_deadline=now + timedelta(days=3), match_at=now + timedelta(days=4))
    MatchRound.objects.filter(pk=match_round.pk).update(status=RoundStatus.RANKING_OPEN)
    match_round.refresh_from_db()
    amara, bashir, wei = _applicant("Amara", "Okafor"), _applicant("Bashir", "Haddad"), _applicant("Wei", "Chen")
    # Bashir wants cardiology only; Wei nephrology, then cardiology. Both certify.
    for rival, titles in ((bashir, [CARDIO]), (wei, [NEPHRO, CARDIO])):
        services_rounds.rank_list_save(match_round=match_round, applicant=rival,
                                       slot_ids=[slots[t].pk for t in titles], certify=True)
    return {"round": match_round, "slots": slots, "coordinator": coordinator, "admin": admin,
            "amara": amara, "bashir": bashir, "wei": wei}


# Helpers







def _focused(page: Page) -> dict:
    return page.evaluate(FOCUSED)


def _tab_to(page: Page, text: str, notes: list[str] | None = None, limit: int = 80) -> None:
    """Press Tab (from wherever the focus is) until the focused element's text starts with `text`;
    with `notes`, note how far it was when a reload had left the focus nowhere (on the body)."""
    lost, seen = _focused(page)["tag"] == "BODY", []
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if focused["text"].startswith(text):
            if notes is not None and lost and presses > 3:
                notes.append(f"  then {presses} Tab presses from the top of the page to reach {text!r}")
            return
        seen.append(focused["text"] or focused["tag"])
    raise AssertionError(f"Tab never reached {text!r}; it went through {seen}")


def _press(page: Page, key: str) -> None:
    """Activate the focused submit button with the keyboard and wait for the page that answers."""
    with page.expect_navigation(timeout=ANSWER_TIMEOUT):
        page.keyboard.press(key)
    page.wait_for_load_state("load")


def _list_status(page: Page):
    """The rank list's own status line (the flash messages are status regions too)."""
    return page.get_by_role("status").and_(page.locator(".rank-status"))


def _ranked(page: Page) -> list[str]:
    return page.get_by_role("list", name=re.compile(r"^Ranked")).locator("li strong").all_inner_texts()


def _expect_focus(page: Page, sensible: tuple[str, ...], notes: list[str], after: str) -> None:
    """The focus is on a control whose text starts with one of `sensible` (each miss is collected,
    and the journey fails at the end with all of them)."""
    focused = _focused(page)
    if focused["text"].startswith(sensible):
        return
    notes.append(f"after {after}: the focus is on {focused['tag']} {focused['text'][:40]!r}, "
                 f"not on {' or '.join(sensible)!r}")


def _keyboard_step(page: Page, notes: list[str], action: str, title: str, key: str, order: list[str],
                   sensible: tuple[str, ...]) -> None:
    """Tab to the button `action` of `title`, press `key`, and check the new order and the focus."""
    previous_missed = bool(notes) and notes[-1].startswith("after")
    _tab_to(page, f"{action} {title}", notes if previous_missed else None)
    _press(page, key)
    assert _ranked(page) == order, f"after {action} {title}"
    _expect_focus(page, sensible, notes, f"{action} {title} (with {key})")


# The journey

def _applicant_ranks_by_keyboard(page: Page, live_server, world) -> list[str]:
    slots, notes = world["slots"], []
    page.goto(live_server.url + f"/rounds/{world['round'].pk}/rank/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your rank list: {ROUND}")
    expect(_list_status(page)).to_have_text("No slot ranked yet.")
    look(page, "round-rank-empty")

    # Each button reloads the page. The sensible focus after it: the button pressed, or the slot's
    # other move button when the pressed one is now disabled (at the top or the bottom); after Add,
    # the added slot's first enabled button; after Remove, somewhere in the form.
    in_form = ("Add", "Move", "Remove", "Save")
    steps = [
        ("Add", GERI, "Enter", [GERI], (f"Remove {GERI}",)),  # alone on the list: both moves are disabled
        ("Add", CARDIO, "Space", [GERI, CARDIO], (f"Move up {CARDIO}",)),
        ("Add", NEPHRO, "Enter", [GERI, CARDIO, NEPHRO], (f"Move up {NEPHRO}",)),
        ("Move down", GERI, "Space", [CARDIO, GERI, NEPHRO], (f"Move down {GERI}",)),
        ("Move down", GERI, "Enter", [CARDIO, NEPHRO, GERI], (f"Move up {GERI}",)),  # now at the bottom
        ("Remove", NEPHRO, "Space", [CARDIO, GERI], in_form),
        ("Add", NEPHRO, "Enter", [CARDIO, GERI, NEPHRO], (f"Move up {NEPHRO}",)),
        ("Move up", NEPHRO, "Space", [CARDIO, NEPHRO, GERI], (f"Move up {NEPHRO}",)),
        ("Move up", NEPHRO, "Enter", [NEPHRO, CARDIO, GERI], (f"Move down {NEPHRO}",)),  # now at the top
        ("Move down", NEPHRO, "Space", [CARDIO, NEPHRO, GERI], (f"Move down {NEPHRO}",)),
    ]
    for n, (action, title, key, order, sensible) in enumerate(steps):
        _keyboard_step(page, notes, action, title, key, order, sensible)
        if n == 2:
            expect(_list_status(page)).to_have_text("Not certified: only certified lists enter the match.")
    look(page, "round-rank-ranked")

    _tab_to(page, "Save and certify")
    _press(page, "Enter")
    message(page, "Your rank list is certified.")
    expect(_list_status(page)).to_contain_text("Certified on")
    assert _ranked(page) == [CARDIO, NEPHRO, GERI]
    rank_list = RankList.objects.get(round=world["round"], applicant=world["amara"])
    assert rank_list.certified_at is not None
    assert list(rank_list.entries.values_list("slot_id", flat=True)) == [slots[t].pk for t in (CARDIO, NEPHRO, GERI)]
    look(page, "round-rank-certified")
    return notes


def _coordinator_ranks(page: Page, live_server, world, notes: list[str]) -> None:
    match_round, slots = world["round"], world["slots"]
    page.goto(live_server.url + f"/coordinator/rounds/{match_round.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(ROUND)
    for title, rankers in ((CARDIO, 3), (NEPHRO, 2), (GERI, 1)):
        expect(page.get_by_role("article").filter(has_text=title)).to_contain_text(
            f"{rankers} applicant{'s' if rankers > 1 else ''} ranked it · your ranking is not certified")
    look(page, "round-host-open")
    # Cardiology: Bashir, Amara, Wei. Nephrology: Wei only (Amara left off). Geriatrics: Amara.
    for title, wanted in ((CARDIO, [BASHIR, AMARA, WEI]), (NEPHRO, [WEI]), (GERI, [AMARA])):
        rank_link = page.get_by_role("link", name=re.compile(f"^Rank the applicants of {title}"))
        rank_link.focus()
        _press(page, "Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Rank the applicants: {title}")
        if title == CARDIO:
            look(page, "round-slot-rank-empty")
        for n, name in enumerate(wanted):
            page.get_by_role("button", name=f"Add {name}").click()
            expect(page.get_by_role("list", name="Your ranking", exact=True).locator("li strong").last).to_have_text(
                name, timeout=ANSWER_TIMEOUT)
            _expect_focus(page, (f"Move up {name}",) if n else (f"Remove {name}",), notes,
                          f"the coordinator's Add {name} on {title}")
        if title == CARDIO:
            look(page, "round-slot-rank-ranked")
        page.get_by_role("button", name="Save and certify").click()
        message(page, "This slot's ranking is certified.")
        expect(page.get_by_role("list", name="Your ranking", exact=True).locator("li strong")).to_have_text(wanted)
        page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=ROUND).click()
        expect(page.get_by_role("article").filter(has_text=title)).to_contain_text("your ranking is certified")
    for title, wanted in ((CARDIO, [world["bashir"], world["amara"], world["wei"]]), (NEPHRO, [world["wei"]]),
                          (GERI, [world["amara"]])):
        ranking = SlotRanking.objects.get(round=match_round, slot=slots[title])
        assert ranking.certified_at and list(ranking.entries.values_list("applicant_id", flat=True)) == [
            u.pk for u in wanted]


def _admin_runs_and_publishes(page: Page, live_server, world) -> None:
    match_round = world["round"]
    MatchRound.objects.filter(pk=match_round.pk).update(status=RoundStatus.RANKING_CLOSED)
    page.goto(live_server.url + f"/staff/rounds/{match_round.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(ROUND)
    expect(page.get_by_role("main")).to_contain_text("Ranking closed")
    expect(page.locator("#round-progress progress")).to_have_count(0)
    look(page, "round-admin-closed")

    page.get_by_role("button", name="Run the match").click()
    message(page, "The match is running.")
    # Celery is eager in the tests: the run is over when the page answers.
    progress = page.locator("#round-progress")
    expect(progress.get_by_text(re.compile(r"^Last run: done"))).to_be_visible()
    expect(progress.locator("progress")).to_have_attribute("value", "100")
    _figures(page)
    look(page, "round-admin-matched")

    # A second run as a worker would do it: the page polls the progress bar, then reloads when done.
    MatchRound.objects.filter(pk=match_round.pk).update(run_progress=40,
                                                        run_step="Computing the applicant-optimal stable matching")
    page.reload()
    expect(progress.get_by_text("Running: Computing the applicant-optimal stable matching")).to_be_visible()
    expect(progress.locator("progress")).to_have_attribute("value", "40")
    expect(page.get_by_role("button", name="Run the match again")).to_be_disabled()
    expect(page.get_by_text("Publish the results…")).to_have_count(0)  # not while it runs
    look(page, "round-admin-running")
    with page.expect_navigation(timeout=ANSWER_TIMEOUT):  # HX-Refresh reloads the whole page
        assert services_rounds.round_run(round_id=match_round.pk, by=world["admin"]) is False  # same result
    expect(progress.get_by_text(re.compile(r"^Last run: done"))).to_be_visible(timeout=ANSWER_TIMEOUT)
    expect(page.get_by_role("button", name="Run the match again")).to_be_enabled()
    _figures(page)

    page.get_by_text("Publish the results…").click()  # the second step of a binding move
    page.get_by_role("button", name="Yes, publish the results").click()
    message(page, "Results published")
    expect(page.get_by_role("main")).to_contain_text("Published")
    expect(page.get_by_text("Publish the results…")).to_have_count(0)
    look(page, "round-admin-published")


def _figures(page: Page) -> None:
    figures = page.get_by_role("region", name="Figures")
    expect(figures).to_contain_text(re.compile(r"Seats filled\s*3 of 3"))
    expect(figures).to_contain_text(re.compile(r"Applicants matched\s*3 of 3 with a certified list"))
    rows = figures.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_text([re.compile(r"^1\s*2$"), re.compile(r"^2\s*0$"), re.compile(r"^3\s*1$")])
    expect(figures).to_contain_text("Every seat is filled.")


def _applicant_reads_the_result(page: Page, live_server, world) -> None:
    match_round, slots = world["round"], world["slots"]
    page.goto(live_server.url + "/rounds/")
    page.get_by_role("link", name=f"Your result in {ROUND}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your result: {ROUND}")
    main = page.get_by_role("main")
    expect(main).to_contain_text(f"You matched {GERI}")
    expect(main).to_contain_text("your choice number 3.")
    expect(main).to_contain_text("Your placement: accepted, awaiting approval.")
    reasons = main.locator("ol.explanations li")
    expect(reasons).to_have_text([re.compile(f"^{CARDIO} · .*: {re.escape(selectors.FILLED_BY_HIGHER)}$"),
                                  re.compile(f"^{NEPHRO} · .*: {re.escape(selectors.DID_NOT_RANK_YOU)}$")])
    for name in (BASHIR, WEI, "bashir", "wei."):
        expect(main).not_to_contain_text(name)
    look(page, "round-result")

    page.get_by_role("link", name="Your placement").click()
    expect(page.get_by_role("heading", name="Status: Accepted, awaiting approval")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(GERI)
    page.goto(live_server.url + "/applicant/applications/")
    expect(page.get_by_role("row").filter(has_text=GERI)).to_contain_text("Accepted")

    placement = Application.objects.get(applicant=world["amara"], match_round=match_round)
    assert (placement.slot_id, placement.status) == (slots[GERI].pk, Status.ACCEPTED)
    assert dict(RoundMatch.objects.filter(round=match_round).values_list("applicant_id", "slot_id")) == {
        world["amara"].pk: slots[GERI].pk, world["bashir"].pk: slots[CARDIO].pk, world["wei"].pk: slots[NEPHRO].pk}


def _coordinator_reads_the_result(page: Page, live_server, world) -> None:
    page.goto(live_server.url + f"/coordinator/rounds/{world['round'].pk}/")
    cardio = page.get_by_role("article").filter(has_text=CARDIO)
    expect(cardio).to_contain_text(f"{BASHIR} — placement")
    expect(cardio).to_contain_text(f"{AMARA}: {selectors.SEATS_TO_HIGHER}")
    expect(cardio).to_contain_text(f"{WEI}: {selectors.MATCHED_PREFERRED}")
    expect(page.get_by_role("article").filter(has_text=NEPHRO)).to_contain_text(
        f"{AMARA}: {selectors.NOT_RANKED_BY_YOU}")
    look(page, "round-host-published")


def test_a_round_from_keyboard_ranking_to_published_placements(page: Page, live_server, world):
    page.set_viewport_size({"width": 1280, "height": 900})

    sign_in(page, live_server, world["amara"])
    focus_notes = _applicant_ranks_by_keyboard(page, live_server, world)

    sign_in(page, live_server, world["coordinator"])
    _coordinator_ranks(page, live_server, world, focus_notes)

    sign_in(page, live_server, world["admin"])
    _admin_runs_and_publishes(page, live_server, world)

    sign_in(page, live_server, world["amara"])
    _applicant_reads_the_result(page, live_server, world)
    page.goto(live_server.url + f"/rounds/{world['round'].pk}/rank/")  # after publication: the result
    expect(page).to_have_url(re.compile(rf"/rounds/{world['round'].pk}/result/$"))

    sign_in(page, live_server, world["coordinator"])
    _coordinator_reads_the_result(page, live_server, world)
    if focus_notes:
        pytest.fail("\n".join(["Keyboard focus after the rank lists' reloads:", *focus_notes]))
