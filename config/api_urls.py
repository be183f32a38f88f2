"""REST API routes of every app, under /api/."""

from django.urls import path

from accounts.api import MeView
from rotations import api as rotations_api

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    *rotations_api.urlpatterns,
]
