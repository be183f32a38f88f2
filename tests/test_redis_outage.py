"""Redis stopped or hung never takes the site down: every page answers, fast, and no e-mail is lost.

The site runs under gunicorn on a Redis of its own; the test stops that Redis (connections
refused) or freezes it with SIGSTOP (connections accepted, never answered), then walks what a
new user and a host do: the anonymous search, a listing, sign-up, login, password reset,
applying, an offer and its acceptance on the pages and through the API, and the inbox. Every
answer is the page or status the same request gets with Redis up, and each comes within two
seconds. Once Redis is back, a worker sends each e-mail written meanwhile exactly once.
"""

import os
import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from matching.models import Application
from notifications.models import OutgoingEmail, WorkerHeartbeat
from notifications.tasks import heartbeat, sweep_outbox

from .factories import PASSWORD, CoordinatorFactory, DocumentFactory, ProfileFactory, SlotFactory, UserFactory
from .outbox_harness import PrivateRedis, Workers, publishing_to, wait_until
from .site_harness import Site, Visitor

SLOWEST = 2.0  # seconds any answer may take while Redis is away
TOO_MANY = "Too many failed login attempts. Try again later."


@pytest.fixture
def redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.process and server.process.poll() is None:
        os.kill(server.process.pid, signal.SIGCONT)  # a frozen server would not hear the stop
    server.stop()


@pytest.fixture
def site(redis, sink):
    # Rate-limit counters kept in PostgreSQL outlive the flush between tests (the cache table
    # is no model's); each test starts with none.
    caches["database"].clear()
    server = Site(redis.url, sink.url)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def people():
    coordinator = CoordinatorFactory().user
    slot = SlotFactory(listing__institution=coordinator.coordinator.institution,
                       listing__required_documents=["cv"], capacity=2)
    applicants = [UserFactory(), UserFactory()]
    for applicant in applicants:
        ProfileFactory(user=applicant)
        DocumentFactory(applicant=applicant, kind="cv")
    return {"coordinator": coordinator, "slot": slot, "web": applicants[0], "api": applicants[1]}


def _warm_up(site, timings):
    """Both gunicorn workers have served pages before, as a running site's have."""
    visitor = Visitor(site, timings)
    for _ in range(4):
        for path in ("/listings/", "/accounts/login/", "/api/listings/"):
            assert visitor.get(path).status_code == 200
    timings.clear()


def _stop(redis, how: str):
    if how == "stopped":
        redis.stop()
    else:
        os.kill(redis.process.pid, signal.SIGSTOP)


def _restore(redis, how: str):
    if how == "stopped":
        redis.start()
    else:
        os.kill(redis.process.pid, signal.SIGCONT)


def _walk_anonymous(site, timings, listing):
    visitor = Visitor(site, timings)
    assert visitor.get("/listings/").status_code == 200
    assert visitor.get("/listings/?q=medicine&sort=soonest").status_code == 200
    assert visitor.get("/listings/?q=medicine", headers={"HX-Request": "true"}).status_code == 200
    assert visitor.get("/api/listings/?q=medicine").status_code == 200
    assert visitor.get(reverse("rotations:listing_detail", args=[listing.pk])).status_code == 200
    assert visitor.get("/healthz").status_code == 200
    ready = visitor.get("/readyz")
    assert (ready.status_code, ready.json()["status"], ready.json()["checks"]["redis"]["state"]) == (
        200, "degraded", "unreachable")


def _walk_accounts(site, timings, people):
    newcomer = Visitor(site, timings)
    assert newcomer.get("/accounts/signup/").status_code == 200
    signed_up = newcomer.post_form("/accounts/signup/", {
        "email": "newcomer@example.org", "password1": "a-long-new-password-7", "password2": "a-long-new-password-7"})
    assert (signed_up.status_code, signed_up.headers["Location"]) == (302, "/accounts/confirm-email/")
    assert newcomer.get("/accounts/confirm-email/").status_code == 200

    forgetful = Visitor(site, timings)
    assert forgetful.get("/accounts/password/reset/").status_code == 200
    reset = forgetful.post_form("/accounts/password/reset/", {"email": people["web"].email})
    assert (reset.status_code, reset.headers["Location"]) == (302, "/accounts/password/reset/done/")

    assert forgetful.log_in(people["web"].email, "not-the-password").status_code == 200  # the form again


def _walk_web_application(site, timings, people):
    slot = people["slot"]
    applicant, host = Visitor(site, timings), Visitor(site, timings)
    assert applicant.log_in(people["web"].email, PASSWORD).status_code == 302
    assert host.log_in(people["coordinator"].email, PASSWORD).status_code == 302

    assert applicant.get(reverse("rotations:listing_detail", args=[slot.listing.pk])).status_code == 200
    assert applicant.get(reverse("matching:apply", args=[slot.pk])).status_code == 200
    assert applicant.post_form(reverse("matching:apply", args=[slot.pk]),
                               {"statement": "I want to learn how a US team works."}).status_code == 302
    application = Application.objects.get(applicant=people["web"])

    assert host.get(reverse("matching:review_list")).status_code == 200
    assert host.get(reverse("matching:review", args=[application.pk])).status_code == 200
    for action in ("review", "offer"):
        assert host.post_form(reverse("matching:move", args=[application.pk, action]), {}).status_code == 302

    assert applicant.get(reverse("matching:application", args=[application.pk])).status_code == 200
    assert applicant.post_form(reverse("matching:move", args=[application.pk, "accept"]), {}).status_code == 302
    assert applicant.get(reverse("notifications:inbox")).status_code == 200
    assert host.get(reverse("notifications:inbox")).status_code == 200
    application.refresh_from_db()
    assert application.status == "accepted"


def _walk_api_application(site, timings, people):
    applicant, host = Visitor(site, timings), Visitor(site, timings)
    assert applicant.log_in(people["api"].email, PASSWORD).status_code == 302
    assert host.log_in(people["coordinator"].email, PASSWORD).status_code == 302

    assert applicant.get("/api/me/").status_code == 200
    created = applicant.post_json("/api/applications/", {"slot": people["slot"].pk, "statement": "Hello."})
    assert created.status_code == 201
    move = reverse("api-application-move", args=[created.json()["id"]])
    for action in ("review", "offer"):
        assert host.post_json(move, {"action": action}).status_code == 200
    accepted = applicant.post_json(move, {"action": "accept"})
    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
    assert applicant.get("/api/applications/").status_code == 200


def _walk_rate_limit(site, timings):
    """allauth's limit of five failed logins per address holds across both gunicorn workers."""
    visitor = Visitor(site, timings)
    refused = [TOO_MANY in visitor.log_in("target@example.org", f"guess-{n}").text for n in range(6)]
    assert refused == [False] * 5 + [True]


def _assert_each_email_once(sink):
    def normal(subject):
        return " ".join(subject.split())

    expected = Counter((email.to, normal(email.subject)) for email in OutgoingEmail.objects.all())
    wait_until(lambda: len(sink.delivered) >= sum(expected.values()), 60, what="the queued e-mails")
    time.sleep(1.0)  # anything sent twice would arrive now
    assert Counter((to, normal(subject)) for to, subject in sink.delivered) == expected
    assert OutgoingEmail.objects.exclude(state=OutgoingEmail.State.SENT).count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
@pytest.mark.parametrize("how", ["stopped", "hung"])
def test_the_site_works_while_redis_is_away_and_mail_goes_out_once_it_returns(how, redis, sink, site, people):
    timings: list[tuple[str, int, float]] = []
    _warm_up(site, timings)

    _stop(redis, how)
    _walk_anonymous(site, timings, people["slot"].listing)
    _walk_accounts(site, timings, people)
    _walk_web_application(site, timings, people)
    _walk_api_application(site, timings, people)
    _walk_rate_limit(site, timings)
    slow = [(what, status, round(seconds, 2)) for what, status, seconds in timings if seconds >= SLOWEST]
    print(f"\nRedis {how}: {len(timings)} requests, slowest {max(s for *_, s in timings):.3f} s, "
          f"median {sorted(s for *_, s in timings)[len(timings) // 2]:.3f} s")
    assert slow == []
    assert all(status < 500 for _, status, _ in timings)
    assert OutgoingEmail.objects.exclude(state=OutgoingEmail.State.PENDING).count() == 0  # none sent yet

    _restore(redis, how)
    with publishing_to(redis.url):
        workers = Workers(redis, sink)
        try:
            workers.start()
            sweep_outbox.delay()  # what beat does every 30 seconds
            _assert_each_email_once(sink)
            heartbeat.delay()
            wait_until(lambda: Visitor(site).get("/readyz").json()["status"] == "ok", 20,
                       what="readiness to be ok again")
        finally:
            workers.stop_all()


# /readyz on the suite's own (running) Redis: the workers' state comes from their last heartbeat.

@pytest.mark.django_db
@pytest.mark.parametrize(("beat_seconds_ago", "status", "worker_state"), [
    (None, "degraded", "no heartbeat yet"), (200, "degraded", "stale"), (10, "ok", "ok")])
def test_readiness_reports_the_last_worker_heartbeat(client, beat_seconds_ago, status, worker_state):
    if beat_seconds_ago is not None:
        WorkerHeartbeat.objects.create(worker="w1@host", beat_at=timezone.now() - timedelta(seconds=beat_seconds_ago))
    response = client.get("/readyz")
    checks = response.json()["checks"]
    assert (response.status_code, response.json()["status"]) == (200, status)
    assert (checks["postgres"]["state"], checks["redis"]["state"], checks["worker"]["state"]) == (
        "ok", "ok", worker_state)


@pytest.mark.django_db
def test_the_heartbeat_keeps_one_row_per_worker_and_moves_it_forward():
    heartbeat.apply()
    first = WorkerHeartbeat.objects.get()
    heartbeat.apply()
    latest = WorkerHeartbeat.objects.get()
    assert (latest.worker, latest.beat_at > first.beat_at) == (first.worker, True)
