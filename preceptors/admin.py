from django.contrib import admin
from django.utils import timezone

from .models import Preceptor


@admin.register(Preceptor)
class PreceptorAdmin(admin.ModelAdmin):
    list_display = ["full_name", "credentials", "specialty", "institution", "email", "verified_at"]
    list_filter = ["specialty", ("verified_at", admin.EmptyFieldListFilter), "institution__state"]
    search_fields = ["full_name", "email", "institution__name"]
    list_select_related = ["institution"]
    raw_id_fields = ["user"]
    actions = ["mark_verified"]

    @admin.action(description="Mark selected preceptors as verified")
    def mark_verified(self, request, queryset):
        updated = queryset.filter(verified_at__isnull=True).update(verified_at=timezone.now())
        self.message_user(request, f"{updated} preceptor(s) verified.")
