from django.urls import path

from . import views

app_name = "institutions"

urlpatterns = [
    path("invitations/new/", views.invitation_create, name="invitation_create"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/accept/<slug:token>/", views.invitation_accept, name="invitation_accept"),
]
