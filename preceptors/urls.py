from django.urls import path

from . import views

app_name = "preceptors"

urlpatterns = [
    path("preceptor/", views.dashboard, name="dashboard"),
]
