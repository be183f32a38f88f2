from django.urls import path

from . import views_applicant, views_moves, views_review

app_name = "matching"

urlpatterns = [
    path("slots/<int:pk>/apply/", views_applicant.apply, name="apply"),
    path("applicant/applications/", views_applicant.my_applications, name="my_applications"),
    path("applications/<int:pk>/", views_applicant.application, name="application"),
    path("applications/<int:pk>/<slug:action>/", views_moves.move, name="move"),
    path("applicant/calendar/new-address/", views_applicant.calendar_new_address, name="calendar_new_address"),
    path("calendar/<str:token>.ics", views_applicant.calendar_feed, name="calendar_feed"),
    path("coordinator/applications/", views_review.review_list, name="review_list"),
    path("coordinator/applications/<int:pk>/", views_review.review, name="review"),
    path("coordinator/slots/<int:pk>/offer-next/", views_review.offer_next, name="offer_next"),
    path("staff/placements/", views_review.approval_queue, name="approval_queue"),
]
