"""Admin for profiles, documents and the experience log.

Documents are read-only here: verification goes through the staff queue (`/staff/documents/`),
which notifies the applicant; the files themselves only through the permission-checked download.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import Document, DocumentDownload, ExperienceEntry, Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "user", "stage", "school_country", "visa_status", "updated_at"]
    list_filter = ["stage", "ecfmg_status", "step1_status", "step2_status", "visa_status"]
    search_fields = ["legal_name", "user__email", "medical_school"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


class DocumentDownloadInline(admin.TabularInline):
    model = DocumentDownload
    fields = readonly_fields = ["user", "at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["applicant", "kind", "status", "expires_on", "uploaded_at", "download"]
    list_filter = ["status", "kind"]
    search_fields = ["applicant__email", "applicant__last_name", "original_name"]
    list_select_related = ["applicant"]
    exclude = ["file"]
    readonly_fields = ["applicant", "kind", "original_name", "content_type", "size", "expires_on", "status",
                       "rejection_reason", "reviewed_by", "reviewed_at", "uploaded_at", "download"]
    inlines = [DocumentDownloadInline]

    @admin.display(description="file")
    def download(self, document):
        return format_html('<a href="{}">Download</a>', reverse("applicants:document_download", args=[document.pk]))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExperienceEntry)
class ExperienceEntryAdmin(admin.ModelAdmin):
    list_display = ["applicant", "institution", "specialty", "start_date", "end_date", "hours"]
    list_filter = ["specialty", "setting"]
    search_fields = ["applicant__email", "institution", "supervisor"]
    list_select_related = ["applicant"]
    raw_id_fields = ["applicant", "application"]
