from django.urls import path

from . import views, views_profile

app_name = "preceptors"

urlpatterns = [
    path("preceptor/", views.dashboard, name="dashboard"),
    path("preceptor/profile/", views_profile.profile_edit, name="profile_edit"),
    path("preceptors/<int:pk>/", views_profile.public, name="public"),
    path("preceptors/<int:pk>/photo/", views_profile.photo, name="photo"),
    path("placements/<int:pk>/review/", views.review, name="review"),
    path("placements/<int:pk>/evaluate/", views.evaluate, name="evaluate"),
    path("placements/<int:pk>/evaluation/", views.evaluation, name="evaluation"),
    path("host/reviews/", views.host_reviews, name="host_reviews"),
    path("reviews/<int:pk>/respond/", views.respond, name="respond"),
    path("staff/reviews/", views.moderation, name="moderation"),
    path("staff/reviews/<int:pk>/<str:action>/", views.moderate_review, name="moderate_review"),
    path("staff/responses/<int:pk>/<str:action>/", views.moderate_response, name="moderate_response"),
]
