"""Shared fixtures: the users of every access test, and Playwright on Debian's Chromium."""

import os

import pytest

from .factories import AdminFactory, CoordinatorFactory, PreceptorFactory, UserFactory
from .outbox_harness import SmtpSink

# pytest-playwright keeps an asyncio loop in the main thread; Django would otherwise refuse
# database set-up from it. Test-only: never set in any settings module.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"],
    }


@pytest.fixture
def applicant(db):
    return UserFactory()


@pytest.fixture
def other_applicant(db):
    return UserFactory()


@pytest.fixture
def coordinator(db):
    """A coordinator of one institution (the owner in access tests)."""
    return CoordinatorFactory().user


@pytest.fixture
def colleague(coordinator):
    """Another coordinator of the same institution."""
    return CoordinatorFactory(institution=coordinator.coordinator.institution).user


@pytest.fixture
def stranger(db):
    """A coordinator of another institution."""
    return CoordinatorFactory().user


@pytest.fixture
def owner(coordinator):
    """The user whose inbox is under test."""
    return coordinator


@pytest.fixture
def preceptor(db):
    return PreceptorFactory().user


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def api():
    """A DRF client for the API tests; `factories.login` signs it in."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def index_answers(monkeypatch):
    """What the search index answered, one entry per search asked of it (None: left to the queries)."""
    from rotations import search_index

    answers = []
    asked = search_index.search

    def recorded(*args, **kwargs):
        answers.append(asked(*args, **kwargs))
        return answers[-1]

    monkeypatch.setattr(search_index, "search", recorded)
    return answers


@pytest.fixture(autouse=True)
def fresh_search_cache():
    """Each test starts with no cached search answers (factories bypass the services that bump it)."""
    from rotations import api, search_index
    from rotations.search_cache import listings_changed
    from rotations.templatetags import search_cards

    listings_changed()
    search_index.forget()  # it holds an earlier test's listings, flushed since
    search_cards.cards.forget()  # and the cards and API items kept since
    api.items.forget()


@pytest.fixture
def sink():
    """A local SMTP server that records what the workers deliver (outbox and outage tests)."""
    server = SmtpSink()
    server.start()
    yield server
    server.stop()
