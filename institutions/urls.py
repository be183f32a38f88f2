from django.urls import path

from . import views, views_staff

app_name = "institutions"

urlpatterns = [
    path("invitations/new/", views.invitation_create, name="invitation_create"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/accept/<slug:token>/", views.invitation_accept, name="invitation_accept"),
    path("staff/preceptors/", views_staff.preceptor_queue, name="preceptor_queue"),
    path("staff/preceptors/<int:pk>/decide/", views_staff.preceptor_decide, name="preceptor_decide"),
    path("staff/npi-disputes/<int:pk>/resolve/", views_staff.dispute_resolve, name="dispute_resolve"),
]
