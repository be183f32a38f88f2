"""Admin for applications: read-only, with the audit trail; moves go through the site's pages,
which run the state machine (checks, seat count, notifications)."""

from django.contrib import admin

from .models import Application, ApplicationEvent


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    fields = readonly_fields = ["at", "action", "from_status", "to_status", "by", "message"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["applicant", "slot", "status", "offer_deadline", "created_at", "status_changed_at"]
    list_filter = ["status", "slot__listing__specialty", "slot__listing__institution__state"]
    search_fields = ["applicant__email", "applicant__last_name", "slot__listing__title",
                     "slot__listing__institution__name"]
    list_select_related = ["applicant", "slot__listing"]
    readonly_fields = ["applicant", "slot", "statement", "status", "message", "offer_deadline",
                       "waitlisted_at", "created_at", "status_changed_at"]
    inlines = [ApplicationEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(admin.ModelAdmin):
    list_display = ["at", "application", "action", "from_status", "to_status", "by"]
    list_filter = ["action", "to_status"]
    search_fields = ["application__applicant__email", "by__email"]
    list_select_related = ["application__applicant", "application__slot__listing", "by"]
    readonly_fields = ["application", "action", "from_status", "to_status", "by", "message", "at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
