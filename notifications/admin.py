from django.contrib import admin

from .delivery import email_resend
from .models import EmailPreference, Notification, OutgoingEmail, SentReminder, WorkerHeartbeat


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "kind", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]
    actions = ["resend"]

    @admin.action(description="Send the selected failed e-mails again")
    def resend(self, request, queryset):
        sent = sum(email_resend(email=email) for email in queryset.filter(state=OutgoingEmail.State.FAILED))
        self.message_user(request, f"{sent} e-mail(s) queued again.")

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "kind", "category", "created_at", "read_at"]
    list_filter = ["category", "kind"]
    search_fields = ["title", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "category", "email_enabled"]
    list_filter = ["category", "email_enabled"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    list_display = ["key", "stage", "created_at"]
    search_fields = ["key"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["worker", "beat_at"]
    ordering = ["-beat_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
