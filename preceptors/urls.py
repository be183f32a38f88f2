from django.urls import path

from . import views, views_profile

app_name = "preceptors"

urlpatterns = [
    path("preceptor/", views.dashboard, name="dashboard"),
    path("preceptor/profile/", views_profile.profile_edit, name="profile_edit"),
    path("preceptors/<int:pk>/", views_profile.public, name="public"),
    path("preceptors/<int:pk>/photo/", views_profile.photo, name="photo"),
]
