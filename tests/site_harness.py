"""The site served by gunicorn in a process of its own, and a visitor that times every answer.

The outage tests need the site exactly as production runs it: its own processes, its own cache
connections and Celery publisher, pointed at a Redis that the test can stop or freeze. A live
server thread inside the test process would share the test's settings and connections.
"""

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field

import requests

from devtools.services import free_port

from .outbox_harness import ROOT, database_url, wait_until


class Site:
    """gunicorn with two sync workers (as in production and the benchmarks) on the test database."""

    def __init__(self, redis_url: str, smtp_url: str):
        self.port = free_port()
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
                    "DATABASE_URL": database_url(), "REDIS_URL": redis_url, "EMAIL_URL": smtp_url,
                    "CELERY_TASK_ALWAYS_EAGER": "false", "DJANGO_ALLOW_ASYNC_UNSAFE": "",
                    "TEST_API_THROTTLES": "true"}
        self.process = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-w", "2",
             "-b", f"127.0.0.1:{self.port}", "--log-level", "warning", "--timeout", "60"],
            cwd=ROOT, env=self.env, start_new_session=True,
        )
        try:
            wait_until(self._answers, 30, 0.2, what="gunicorn")
        except AssertionError:
            self.stop()  # the fixture never reaches its teardown
            raise

    def _answers(self) -> bool:
        try:
            return requests.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except requests.RequestException:  # bound but still booting, or not yet listening
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)


@dataclass
class Visitor:
    """One browser session; every request is recorded with its status and duration."""

    site: Site
    timings: list[tuple[str, int, float]] = field(default_factory=list)

    def __post_init__(self):
        self.session = requests.Session()

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        started = time.monotonic()
        response = self.session.request(method, self.site.url + path, allow_redirects=False,
                                        timeout=30, **kwargs)
        self.timings.append((f"{method} {path}", response.status_code, time.monotonic() - started))
        return response

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, data: dict) -> requests.Response:
        """Submit a form as a browser would, with the CSRF token the site gave this session."""
        return self.request("POST", path, data={"csrfmiddlewaretoken": self._csrf(), **data})

    def post_json(self, path: str, data: dict) -> requests.Response:
        return self.request("POST", path, json=data, headers={"X-CSRFToken": self._csrf()})

    def _csrf(self) -> str:
        if "csrftoken" not in self.session.cookies:
            self.get("/accounts/login/")  # any page with a form sets the cookie
        return self.session.cookies["csrftoken"]

    def log_in(self, email: str, password: str) -> requests.Response:
        self.get("/accounts/login/")
        return self.post_form("/accounts/login/", {"login": email, "password": password})
