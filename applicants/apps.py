"""Applicant profiles, the document vault and the experience log."""
from django.apps import AppConfig


class ApplicantsConfig(AppConfig):
    name = "applicants"
    verbose_name = "Applicants"

    def ready(self):
        from . import signals  # noqa: F401 - connects the receivers
