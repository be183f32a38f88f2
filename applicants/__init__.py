"""Applicant profiles, the document vault and the experience log."""
