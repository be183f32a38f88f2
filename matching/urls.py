from django.urls import path

from . import views_applicant, views_issued, views_moves, views_recommend, views_review, views_rounds, views_rounds_admin

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
    # Documents issued from placements, and their public verification
    path("placements/<int:pk>/documents/<slug:kind>/", views_issued.placement_document, name="placement_document"),
    path("placements/<int:pk>/documents/<slug:kind>/issue/", views_issued.placement_document_issue,
         name="placement_document_issue"),
    path("issued/<int:pk>/revoke/", views_issued.issued_revoke, name="issued_revoke"),
    path("coordinator/documents/signatory/", views_issued.issued_signatory, name="issued_signatory"),
    path("verify/", views_issued.verify, name="verify"),
    path("v/<str:code>/", views_issued.verify, name="verify_code"),
    path("applicant/recommendations/", views_recommend.recommendations, name="recommendations"),
    # Match rounds
    path("rounds/", views_rounds.rounds, name="rounds"),
    path("rounds/<int:pk>/rank/", views_rounds.round_rank, name="round_rank"),
    path("rounds/<int:pk>/result/", views_rounds.round_result, name="round_result"),
    path("coordinator/rounds/<int:pk>/", views_rounds.round_host, name="round_host"),
    path("coordinator/rounds/<int:pk>/slots/<int:slot_pk>/", views_rounds.slot_rank, name="slot_rank"),
    path("staff/rounds/", views_rounds_admin.round_list, name="round_list"),
    path("staff/rounds/<int:pk>/", views_rounds_admin.round_admin, name="round_admin"),
    path("staff/rounds/<int:pk>/progress/", views_rounds_admin.round_progress, name="round_progress"),
    path("staff/rounds/<int:pk>/instance.json", views_rounds_admin.round_instance, name="round_instance"),
    path("staff/rounds/<int:pk>/result.json", views_rounds_admin.round_result_download, name="round_result_download"),
    path("staff/rounds/<int:pk>/<slug:action>/", views_rounds_admin.round_move, name="round_move"),
]
