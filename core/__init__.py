"""Helpers every app shares (API errors, form errors, user text); imports no app."""
