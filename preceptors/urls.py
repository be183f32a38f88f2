from django.urls import path

from . import views, views_letters, views_profile

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
    # Letters of recommendation
    path("applicant/letters/", views_letters.letters, name="letters"),
    path("applicant/letters/new/", views_letters.letter_new, name="letter_new"),
    path("applicant/letters/<int:pk>/<str:action>/", views_letters.letter_action, name="letter_action"),
    path("applicant/letter-shares/", views_letters.share_create, name="share_create"),
    path("applicant/letter-shares/<int:pk>/revoke/", views_letters.share_revoke, name="share_revoke"),
    path("letters/<int:pk>/download/", views_letters.letter_download, name="letter_download"),
    path("letters/upload/<str:token>/", views_letters.letter_upload, name="letter_upload"),
    path("letters/received/", views_letters.letter_received, name="letter_received"),
    path("preceptor/letters/<int:pk>/", views_letters.author_letter, name="author_letter"),
    path("letters/shared/<str:token>/", views_letters.letter_share, name="letter_share"),
    path("letters/shared/<str:token>/<int:pk>/", views_letters.letter_share_download, name="letter_share_download"),
    path("staff/letters/", views_letters.admin_letters, name="admin_letters"),
    path("staff/letters/<int:pk>/open/", views_letters.admin_letter_open, name="admin_letter_open"),
    path("staff/letters/<int:pk>/remove/", views_letters.admin_letter_remove, name="admin_letter_remove"),
]
