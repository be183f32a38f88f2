from django.urls import path

from . import views

app_name = "applicants"

urlpatterns = [
    path("applicant/", views.dashboard, name="dashboard"),
]
