from django.urls import path

from . import views, views_experience

app_name = "applicants"

urlpatterns = [
    path("applicant/", views.dashboard, name="dashboard"),
    path("applicant/profile/", views.profile_edit, name="profile"),
    path("applicant/documents/", views.documents, name="documents"),
    path("applicant/documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("staff/documents/", views.document_queue, name="document_queue"),
    path("staff/documents/<int:pk>/review/", views.document_review, name="document_review"),
    path("applicant/experience/", views_experience.experience, name="experience"),
    path("applicant/experience/<int:pk>/edit/", views_experience.experience_edit, name="experience_edit"),
    path("applicant/experience/<int:pk>/delete/", views_experience.experience_delete, name="experience_delete"),
    path("applicant/experience.csv", views_experience.experience_csv, name="experience_csv"),
    path("applicant/experience.pdf", views_experience.experience_pdf, name="experience_pdf"),
]
