"""The figures pages count exactly what their formulas say, for the chosen months and the right institutions.

One scene, made through the services as people would make it (apply, offer, accept, approve,
complete, reject, waitlist, expire, decline, withdraw), then its clock set: each application
was made on day 0 and each move on a known day, so every median is known in advance.

    Riverside (the coordinator's)                        Lakeside (the stranger's)
    slot "one": Cardiology, NY, 2 seats, in 3 months     slot "three": Pediatrics, TX, 4 seats, in 3 months
      a1 offer day 2, accept, approve                       c1 offer day 3, decline
      a2 offer day 4, expire                                c2 submitted
      a3 reject day 6                                       c3 withdrawn
      a4 waitlisted day 1
    slot "two": Internal Medicine, IL, 3 seats, in 3 months
      b1 offer day 1, accept
      b2 withdrawn
    slot "five": Cardiology, NY, 1 seat, ended last month:
      e1 offer day 5, accept, approve, complete
    slot "later" (after the period) and a draft listing's slot: never counted
"""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from config.figures import figures_for, scope_of
from config.figures_links import Links
from config.figures_page import figures_page
from config.figures_period import Period, add_months
from matching.models import Application, ApplicationEvent
from matching.services import application_submit, application_transition

from .factories import (
    ApplicationFactory,
    DocumentFactory,
    ListingFactory,
    ProfileFactory,
    SlotFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

STAFF, COORDINATOR = reverse("figures:staff"), reverse("figures:coordinator")


def _today():
    return timezone.localdate()


def _month(days: int):
    return (_today() + timedelta(days=days)).replace(day=1)


# The period of the scene: from two months ago to five months ahead.
FIRST, LAST = -60, 150


def _period() -> Period:
    return Period(_month(FIRST), _month(LAST))


def _query(**extra) -> dict:
    return {"from_month": f"{_month(FIRST):%Y-%m}", "to_month": f"{_month(LAST):%Y-%m}", **extra}


def _slot(institution, specialty, state, capacity, starts_in):
    start = _today() + timedelta(days=starts_in)
    return SlotFactory(listing__institution=institution, listing__specialty=specialty, listing__state=state,
                       capacity=capacity, start_date=start, end_date=start + timedelta(days=27),
                       application_deadline=start - timedelta(days=21))


class Scene:
    def __init__(self, coordinator, stranger, admin):
        self.coordinator, self.stranger, self.admin = coordinator, stranger, admin
        self.base = timezone.now() - timedelta(days=30)

    def apply(self, slot):
        applicant = UserFactory()
        ProfileFactory(user=applicant)
        application = application_submit(applicant=applicant, slot=slot, statement="I want to learn.")
        Application.objects.filter(pk=application.pk).update(created_at=self.base)
        return application

    def move(self, application, action, by, day=None):
        application_transition(application=application, action=action, by=by)
        if day is not None:
            ApplicationEvent.objects.filter(application=application, action=action).update(
                at=self.base + timedelta(days=day))


@pytest.fixture
def scene(coordinator, stranger, admin_user):
    s = Scene(coordinator, stranger, admin_user)
    riverside, lakeside = coordinator.coordinator.institution, stranger.coordinator.institution
    one = _slot(riverside, "cardiology", "NY", 2, 90)
    two = _slot(riverside, "internal_medicine", "IL", 3, 90)
    three = _slot(lakeside, "pediatrics", "TX", 4, 90)
    five = _slot(riverside, "cardiology", "NY", 1, 30)
    later = _slot(riverside, "cardiology", "NY", 2, LAST + 100)
    draft = _slot(riverside, "cardiology", "NY", 5, 90)
    type(draft.listing).objects.filter(pk=draft.listing_id).update(status="draft", published_at=None)

    a1, a2, a3, a4 = (s.apply(one) for _ in range(4))
    s.move(a1, "offer", coordinator, day=2)
    s.move(a1, "accept", a1.applicant)
    s.move(a1, "approve", admin_user)
    s.move(a2, "offer", coordinator, day=4)
    Application.objects.filter(pk=a2.pk).update(offer_deadline=timezone.now() - timedelta(hours=1))
    s.move(a2, "expire", None)
    s.move(a3, "reject", coordinator, day=6)
    s.move(a4, "waitlist", coordinator, day=1)

    b1, b2 = s.apply(two), s.apply(two)
    s.move(b1, "offer", coordinator, day=1)
    s.move(b1, "accept", b1.applicant)
    s.move(b2, "withdraw", b2.applicant)

    c1, c2, c3 = (s.apply(three) for _ in range(3))
    s.move(c1, "offer", stranger, day=3)
    s.move(c1, "decline", c1.applicant)
    s.move(c3, "withdraw", c3.applicant)

    e1 = s.apply(five)
    s.move(e1, "offer", coordinator, day=5)
    s.move(e1, "accept", e1.applicant)
    s.move(e1, "approve", admin_user)
    # Time passes: the rotation ended last week, and the coordinator marks it completed.
    type(five).objects.filter(pk=five.pk).update(start_date=_today() - timedelta(days=50),
                                                  end_date=_today() - timedelta(days=23),
                                                  application_deadline=_today() - timedelta(days=71))
    s.move(e1, "complete", coordinator)

    s.apply(later)  # after the period: counted nowhere but in the funnel (the applicant signed up in it)
    # The funnel's other people: one without a profile, one who never applied, one who signed up earlier.
    UserFactory()
    ProfileFactory()
    UserFactory(date_joined=timezone.now() - timedelta(days=400))
    # The admins' queues: two documents to verify (one verified already), one listing to moderate.
    DocumentFactory(applicant=a1.applicant, status="pending")
    DocumentFactory(applicant=a1.applicant, status="pending", kind="passport")
    DocumentFactory(applicant=b1.applicant, status="verified")
    ListingFactory(status="submitted")
    return s


def _figures(user):
    return figures_for(scope_of(user), _period())


def _tiles(response) -> dict[str, str]:
    return {tile.label: tile.value for tile in response.context["page"].tiles}


def _text(response) -> str:
    return " ".join(response.content.decode().split())


def _table(response, name) -> list[list[str]]:
    table = response.context["page"].tables[name]
    return [[cell.text for cell in row] for row in table.rows]


# What is counted

def test_admins_count_every_institutions_slots_in_the_period(scene, admin_user):
    figures = _figures(admin_user)
    assert (figures.slots, figures.seats, figures.taken) == (4, 10, 3)
    assert figures.applications == {"applications": 10, "accepted": 1, "approved": 2, "completed": 1,
                                    "with_offer": 5, "with_decision": 6,
                                    # offers on days 2, 4, 1, 3, 5; decisions the same and a rejection on day 6
                                    "days_to_offer": 3.0, "days_to_decision": 3.5}
    assert figures.moves == {"offers": 5, "accepts": 3, "expires": 1}


def test_a_coordinator_counts_their_institutions_slots_only(scene, coordinator):
    figures = _figures(coordinator)
    assert (figures.slots, figures.seats, figures.taken) == (3, 6, 3)
    assert figures.applications == {"applications": 7, "accepted": 1, "approved": 2, "completed": 1,
                                    "with_offer": 4, "with_decision": 5,
                                    "days_to_offer": 3.0, "days_to_decision": 4.0}
    assert figures.moves == {"offers": 4, "accepts": 3, "expires": 1}
    assert figures.funnel is None
    assert figures.queues is None


def test_the_admins_tiles_show_each_figure(client, scene, admin_user):
    client.force_login(admin_user)
    response = client.get(STAFF, _query())
    assert response.status_code == 200
    assert _tiles(response) == {
        "Fill rate": "30%", "Applications per slot": "2.5", "Median days to first offer": "3.0",
        "Median days to a decision": "3.5", "Offer acceptance rate": "60%", "Offers expired": "1",
        "Placements awaiting approval": "1", "Placements approved": "2", "Rotations completed": "1",
        "Documents awaiting verification": "2", "Listings awaiting moderation": "1"}


def test_the_coordinators_tiles_leave_out_the_admins_queues(client, scene, coordinator):
    client.force_login(coordinator)
    response = client.get(COORDINATOR, _query())
    assert _tiles(response) == {
        "Fill rate": "50%", "Applications per slot": "2.3", "Median days to first offer": "3.0",
        "Median days to a decision": "4.0", "Offer acceptance rate": "75%", "Offers expired": "1",
        "Placements awaiting approval": "1", "Placements approved": "2", "Rotations completed": "1"}
    assert "funnel" not in response.context["page"].tables
    assert "so only Rotamatch's administrators see it" in _text(response)


def test_the_other_coordinator_sees_their_own_slot_only(client, scene, stranger):
    client.force_login(stranger)
    response = client.get(COORDINATOR, _query())
    assert _tiles(response)["Fill rate"] == "0%"
    assert _tiles(response)["Applications per slot"] == "3.0"
    assert _table(response, "by-specialty") == [["Pediatrics", "3", "4", "0.8"]]


def test_fill_rate_by_month_counts_each_slot_in_its_start_month(client, scene, admin_user):
    client.force_login(admin_user)
    rows = _table(client.get(STAFF, _query()), "fill-by-month")
    by_month = {row[0]: row[1:] for row in rows}
    ended, coming = _today() - timedelta(days=50), _today() + timedelta(days=90)
    assert by_month[f"{ended:%b %Y}"] == ["1", "1", "1", "100%"]
    assert by_month[f"{coming:%b %Y}"] == ["3", "9", "2", "22.2%"]
    assert [row[0] for row in rows] == [f"{month:%b %Y}" for month in _period().months]
    assert sum(int(row[1]) for row in rows) == 4
    empty = [row for row in rows if row[1] == "0"]
    assert all(row[1:] == ["0", "0", "0", "—"] for row in empty)


def test_demand_and_supply_by_specialty_and_state(client, scene, admin_user):
    client.force_login(admin_user)
    response = client.get(STAFF, _query())
    assert _table(response, "by-specialty") == [
        ["Cardiology", "5", "3", "1.7"], ["Pediatrics", "3", "4", "0.8"], ["Internal Medicine", "2", "3", "0.7"]]
    assert _table(response, "by-state") == [
        ["New York", "5", "3", "1.7"], ["Texas", "3", "4", "0.8"], ["Illinois", "2", "3", "0.7"]]


def test_the_funnel_follows_the_applicants_who_signed_up_in_the_period(client, scene, admin_user):
    client.force_login(admin_user)
    # 11 applicants applied (the one to the later slot too), one has only a profile, one has nothing.
    assert _table(client.get(STAFF, _query()), "funnel") == [
        ["Signed up", "13", "100%"], ["Profile complete", "12", "92.3%"], ["Applied", "11", "84.6%"],
        ["Offered a place", "5", "38.5%"], ["Placed", "3", "23.1%"]]


def test_a_place_from_a_match_round_counts_as_offered_in_the_funnel(admin_user):
    placement = ApplicationFactory(status="accepted")
    ApplicationEvent.objects.create(application=placement, action="match", to_status="accepted")
    funnel = figures_for(scope_of(admin_user), _period()).funnel
    assert (funnel["offered"], funnel["placed"]) == (1, 1)


def test_rates_stay_between_0_and_100_percent(client, scene, admin_user):
    client.force_login(admin_user)
    page = client.get(STAFF, _query()).context["page"]
    cells = [cell.text for table in page.tables.values() for row in [*table.rows, table.footer] for cell in row]
    rates = [float(text.removesuffix("%")) for text in cells if text.endswith("%")]
    assert len(rates) == 10  # two tiles, two months and their total, five funnel steps
    assert all(0 <= value <= 100 for value in rates)


# An empty period

def test_an_empty_period_shows_dashes_not_errors(client, scene, admin_user):
    client.force_login(admin_user)
    far = add_months(_month(0), 60)
    response = client.get(STAFF, {"from_month": f"{far:%Y-%m}", "to_month": f"{far:%Y-%m}"})
    assert response.status_code == 200
    assert _tiles(response) == {
        "Fill rate": "—", "Applications per slot": "—", "Median days to first offer": "—",
        "Median days to a decision": "—", "Offer acceptance rate": "—", "Offers expired": "0",
        "Placements awaiting approval": "0", "Placements approved": "0", "Rotations completed": "0",
        "Documents awaiting verification": "2", "Listings awaiting moderation": "1"}
    assert _table(response, "fill-by-month") == [[f"{far:%b %Y}", "0", "0", "0", "—"]]
    assert _table(response, "funnel")[1] == ["Profile complete", "0", "—"]
    assert _table(response, "by-specialty") == []
    assert response.content.decode().count("No slots start in this period.") == 2


# The period form

def test_the_default_period_is_six_months_either_side_of_this_one(client, admin_user):
    client.force_login(admin_user)
    period = client.get(STAFF).context["period"]
    this_month = _month(0)
    assert (period.first, period.last) == (add_months(this_month, -6), add_months(this_month, 6))
    assert len(period.months) == 13


@pytest.mark.parametrize("params, error", [
    ({"from_month": "2026-13"}, "Enter a month as YYYY-MM, for example 2026-09."),
    ({"to_month": "next year"}, "Enter a month as YYYY-MM, for example 2026-09."),
    ({"from_month": "2026-06", "to_month": "2026-01"}, "The first month comes after the last one: swap them."),
    ({"from_month": "2020-01", "to_month": "2023-01"}, "Choose at most 36 months."),
])
def test_a_bad_period_is_refused_with_a_clear_error(client, admin_user, params, error):
    client.force_login(admin_user)
    response = client.get(STAFF, params)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert "page" not in response.context
    csv_response = client.get(STAFF, {**params, "format": "csv", "figure": "summary"})
    assert (csv_response.status_code, csv_response.content.decode()) == (400, error)


def test_one_month_is_a_valid_period(client, admin_user):
    client.force_login(admin_user)
    response = client.get(STAFF, {"from_month": "2026-03", "to_month": "2026-03"})
    assert response.status_code == 200
    assert response.context["period"].label == "March 2026"


# CSV downloads

@pytest.mark.parametrize("name", ["summary", "fill-by-month", "funnel", "by-specialty", "by-state"])
def test_each_figure_downloads_as_the_csv_of_its_table(client, scene, admin_user, name):
    client.force_login(admin_user)
    page = client.get(STAFF, _query()).context["page"]
    section = next(section for section in [page.summary, *page.sections] if section.name == name)
    table = section.table
    response = client.get(STAFF + section.csv_url)  # the page's own download link
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="rotamatch-{name}-{_month(FIRST):%Y-%m}-to-{_month(LAST):%Y-%m}.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    footer = [[cell.text for cell in table.footer]] if table.footer else []
    assert rows == [table.headers, *[[cell.text for cell in row] for row in table.rows], *footer]


def test_the_funnel_csv_is_for_admins_only(client, scene, coordinator):
    client.force_login(coordinator)
    assert client.get(COORDINATOR, _query(format="csv", figure="funnel")).status_code == 404


def test_an_unknown_figure_is_not_found(client, admin_user):
    client.force_login(admin_user)
    assert client.get(STAFF, {"format": "csv", "figure": "salaries"}).status_code == 404


# Links

def test_every_tile_links_to_the_list_it_counts(client, scene, admin_user):
    client.force_login(admin_user)
    links = {tile.label: tile.href for tile in client.get(STAFF, _query()).context["page"].tiles}
    review = reverse("matching:review_list")
    assert links == {
        "Fill rate": f"{review}?show=placements", "Applications per slot": review,
        "Median days to first offer": f"{review}?show=offered", "Median days to a decision": f"{review}?show=closed",
        "Offer acceptance rate": f"{review}?show=placements", "Offers expired": f"{review}?show=closed",
        "Placements awaiting approval": reverse("matching:approval_queue"),
        "Placements approved": f"{review}?show=placements", "Rotations completed": f"{review}?show=placements",
        "Documents awaiting verification": reverse("applicants:document_queue"),
        "Listings awaiting moderation": reverse("rotations:moderation")}


def test_a_coordinator_is_sent_to_their_own_lists(client, scene, coordinator):
    client.force_login(coordinator)
    page = client.get(COORDINATOR, _query()).context["page"]
    hrefs = {cell.href for table in page.tables.values() for row in table.rows for cell in row if cell.href}
    hrefs |= {tile.href for tile in page.tiles}
    assert all(href.startswith(("/coordinator/applications/", "/coordinator/listings/")) for href in hrefs)
    assert all(client.get(href).status_code == 200 for href in hrefs)


def test_the_funnel_steps_lead_to_lists_of_the_same_applicants(client, scene, admin_user):
    client.force_login(admin_user)
    rows = client.get(STAFF, _query()).context["page"].tables["funnel"].rows
    for label, count, _ in rows[:3]:  # sign-up, profile, applied: the Django admin's user list, filtered
        response = client.get(label.href)
        assert response.status_code == 200, label.text
        assert response.context["cl"].result_count == int(count.text), label.text
    assert [row[0].href for row in rows[3:]] == [f"{reverse('matching:review_list')}?show=offered",
                                                f"{reverse('matching:review_list')}?show=placements"]


def test_the_breakdowns_lead_to_lists_the_django_admin_can_filter(client, scene, admin_user):
    client.force_login(admin_user)
    page = client.get(STAFF, _query()).context["page"]
    cardiology = page.tables["by-specialty"].rows[0]
    applications = client.get(cardiology[1].href)
    assert applications.status_code == 200
    # Every period's cardiology applications: the one to the later slot too (the list has no date filter).
    assert applications.context["cl"].result_count == 6
    # Every cardiology listing: those of the later slot and of the draft too.
    assert client.get(cardiology[2].href).context["cl"].result_count == 4
    for row in page.tables["by-state"].rows:
        assert client.get(row[1].href).status_code == 200
        assert client.get(row[2].href).status_code == 200


# The charts

def test_each_chart_has_a_name_and_links_its_bars(client, scene, admin_user):
    client.force_login(admin_user)
    response = client.get(STAFF, _query())
    html = response.content.decode()
    assert html.count("<svg") == 4
    for name in ("fill-by-month", "funnel", "by-specialty", "by-state"):
        assert f'aria-labelledby="{name}-chart-title"' in html
        assert f'<title id="{name}-chart-title">' in html
    assert 'aria-label="Cardiology: 5 applications"' in html
    assert 'aria-label="Placed: 3 applicants"' in html
    assert 'aria-label="Texas: 4 seats offered"' in html
    chart = response.context["page"].sections[2].chart
    assert [[bar.href for bar in group.bars] for group in chart.groups][0] == [
        row.href for row in response.context["page"].tables["by-specialty"].rows[0][1:3]]
    assert " style=" not in html and "<script>" not in html  # the CSP allows neither


def test_the_line_breaks_at_a_month_without_slots(scene, admin_user):
    page = figures_page(_figures(admin_user), Links(site_wide=True, period=_period()))
    chart = page.sections[0].chart
    assert len(chart.points) == 2  # two months have slots: the ended one and the coming one
    assert chart.paths == []  # they are not next to each other, so no line joins them


# Who may see them

@pytest.mark.parametrize("visitor", ["applicant", "preceptor", "coordinator"])
def test_the_staff_figures_are_for_admins_only(client, request, visitor):
    client.force_login(request.getfixturevalue(visitor))
    assert client.get(STAFF).status_code == 403


@pytest.mark.parametrize("visitor", ["applicant", "preceptor", "admin_user"])
def test_the_coordinator_figures_are_for_coordinators_only(client, request, visitor):
    client.force_login(request.getfixturevalue(visitor))
    assert client.get(COORDINATOR).status_code == 403


@pytest.mark.parametrize("url", [STAFF, COORDINATOR])
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_coordinator_without_an_institution_is_told_so(client):
    client.force_login(UserFactory(role=Role.COORDINATOR))
    response = client.get(COORDINATOR)
    assert response.status_code == 200
    assert "not linked to an institution" in _text(response)


# Queries

def _dataset(size: int, coordinator):
    """`size` slots in different specialties, states and months, each with `size` applications and moves."""
    specialties = ["cardiology", "pediatrics", "neurology", "psychiatry", "radiology"]
    states = ["NY", "TX", "IL", "CA", "FL"]
    for n in range(size):
        slot = _slot(coordinator.coordinator.institution, specialties[n % 5], states[n % 5], 5, 30 + 25 * n)
        for _ in range(size):
            application = ApplicationFactory(slot=slot, status="offered")
            ApplicationEvent.objects.create(application=application, action="offer", to_status="offered")
        DocumentFactory(status="pending")


@pytest.mark.parametrize("who, url", [("admin_user", STAFF), ("coordinator", COORDINATOR)])
def test_the_page_costs_the_same_queries_for_few_and_many_rows(client, request, coordinator, who, url):
    user = request.getfixturevalue(who)
    client.force_login(user)
    _dataset(1, coordinator)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, _query()).status_code == 200
    _dataset(5, coordinator)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, _query())
    assert _tiles(response)["Median days to first offer"] == "0.0"
    assert len(many) == len(few)


def test_the_admins_page_runs_a_fixed_number_of_queries(client, admin_user, coordinator, django_assert_num_queries):
    client.force_login(admin_user)
    _dataset(3, coordinator)
    # The user (the session comes from the cache); the figures: months, applications, moves, two breakdowns of two
    # queries each, the funnel and the two queues (ten); the navigation's unread count.
    with django_assert_num_queries(12):
        client.get(STAFF, _query())
