from django.urls import path

from . import views

app_name = "rotations"

urlpatterns = [
    path("coordinator/", views.coordinator_dashboard, name="coordinator_dashboard"),
]
