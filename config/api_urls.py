"""REST API routes of every app, under /api/."""

from django.urls import path

from accounts.api import MeView
from applicants import api as applicants_api
from institutions import api as institutions_api
from matching import api as matching_api
from preceptors import api as preceptors_api
from preceptors import api_letters as letters_api
from rotations import api as rotations_api

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    *rotations_api.urlpatterns,
    *applicants_api.urlpatterns,
    *matching_api.urlpatterns,
    *institutions_api.urlpatterns,
    *preceptors_api.urlpatterns,
    *letters_api.urlpatterns,
]
