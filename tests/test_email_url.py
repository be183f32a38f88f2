"""EMAIL_URL parses strictly into Django's MAILERS entry."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings.email_url import mailer_from_url


def test_smtp_with_starttls_and_credentials():
    mailer = mailer_from_url("smtp+tls://mailer:s%40cret@smtp.example.org:587")
    assert mailer == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "smtp.example.org", "port": 587, "username": "mailer",
                    "password": "s@cret", "use_tls": True, "use_ssl": False, "timeout": 10},
    }


def test_plain_smtp_sink_on_loopback():
    options = mailer_from_url("smtp://127.0.0.1:1025")["OPTIONS"]
    assert (options["host"], options["port"], options["use_tls"]) == ("127.0.0.1", 1025, False)


def test_file_backend_needs_a_directory():
    assert mailer_from_url("file:///tmp/mail")["OPTIONS"] == {"file_path": "/tmp/mail"}
    with pytest.raises(ImproperlyConfigured, match="needs a directory"):
        mailer_from_url("file://")


@pytest.mark.parametrize("url", ["smtpp://host", "smtp://", "smtp://host:notaport", "host:25"])
def test_malformed_urls_are_refused(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        mailer_from_url(url)
