from django.contrib import admin

from .models import Coordinator, Institution, Invitation, Preceptor
from .services import institution_verify, preceptor_verify


class CoordinatorInline(admin.TabularInline):
    model = Coordinator
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "state", "verified_at"]
    list_filter = ["kind", "state", ("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "city", "zip_code"]
    inlines = [CoordinatorInline]
    # Verified only by the action, which goes through the service (search must hear of it).
    readonly_fields = ["verified_at"]
    actions = ["mark_verified"]

    @admin.action(description="Mark selected institutions as verified")
    def mark_verified(self, request, queryset):
        updated = institution_verify(institutions=queryset, by=request.user)
        self.message_user(request, f"{updated} institution(s) verified.")


@admin.register(Coordinator)
class CoordinatorAdmin(admin.ModelAdmin):
    list_display = ["user", "institution", "title", "created_at"]
    list_filter = ["institution__state"]
    search_fields = ["user__email", "user__last_name", "institution__name"]
    list_select_related = ["user", "institution"]
    raw_id_fields = ["user"]


@admin.register(Preceptor)
class PreceptorAdmin(admin.ModelAdmin):
    list_display = ["full_name", "credentials", "specialty", "institution", "email", "verified_at"]
    list_filter = ["specialty", ("verified_at", admin.EmptyFieldListFilter), "institution__state"]
    search_fields = ["full_name", "email", "institution__name"]
    list_select_related = ["institution"]
    raw_id_fields = ["user"]
    readonly_fields = ["verified_at"]
    actions = ["mark_verified"]

    @admin.action(description="Mark selected preceptors as verified")
    def mark_verified(self, request, queryset):
        updated = preceptor_verify(preceptors=queryset, by=request.user)
        self.message_user(request, f"{updated} preceptor(s) verified.")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "institution", "invited_by", "created_at", "expires_at",
                    "accepted_at", "revoked_at"]
    list_filter = ["role", "accepted_at", "revoked_at"]
    search_fields = ["email", "institution__name"]
    list_select_related = ["institution", "invited_by"]
    raw_id_fields = ["invited_by", "accepted_by"]
    readonly_fields = ["token", "created_at", "revoked_by"]

    def has_add_permission(self, request):
        # Invitations are sent from /staff/ or /coordinator/: that path checks and e-mails the link.
        return False
