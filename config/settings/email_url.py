"""EMAIL_URL → Django 6.1's MAILERS["default"], strictly.

    smtp://user:password@host:587      plain SMTP (add ?tls=1 or use smtp+tls:// for STARTTLS)
    smtp+tls://…  smtps://…            STARTTLS / implicit TLS
    file:///path/to/dir                one file per message (development)
    memory://   console://             in-memory (tests) / printed to the console
"""

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}


def mailer_from_url(url: str, *, timeout: int = 10) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in _BACKENDS:
        raise ImproperlyConfigured(
            f"EMAIL_URL: unknown scheme {parts.scheme!r}; use one of {', '.join(_BACKENDS)}"
        )
    mailer = {"BACKEND": _BACKENDS[parts.scheme], "OPTIONS": {}}
    if parts.scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured("EMAIL_URL: file:// needs a directory, e.g. file:///tmp/mail")
        mailer["OPTIONS"] = {"file_path": unquote(parts.path)}
    elif parts.scheme.startswith("smtp"):
        if not parts.hostname:
            raise ImproperlyConfigured("EMAIL_URL: an SMTP URL needs a host")
        query = parse_qs(parts.query)
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError as error:
            raise ImproperlyConfigured(f"EMAIL_URL: {error}") from None
        mailer["OPTIONS"] = {
            "host": parts.hostname,
            "port": port,
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_tls": parts.scheme == "smtp+tls" or query.get("tls") == ["1"],
            "use_ssl": parts.scheme == "smtps",
            "timeout": timeout,
        }
    return mailer
