from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError

from .models import Coordinator, Institution, Invitation, NpiDispute, Preceptor, PreceptorMembership
from .profiles import preceptor_admin_save, preceptor_verification_decide
from .services import institution_verify, preceptor_membership_confirm


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


class MembershipInline(admin.TabularInline):
    model = PreceptorMembership
    raw_id_fields = ["invitation"]
    readonly_fields = ["confirmed_at"]
    extra = 0


@admin.register(Preceptor)
class PreceptorAdmin(admin.ModelAdmin):
    list_display = ["full_name", "degree", "specialty", "npi", "institution", "email", "status", "verified_at"]
    list_filter = ["status", "specialty", "institution__state"]
    search_fields = ["full_name", "email", "npi", "institution__name"]
    list_select_related = ["institution"]
    raw_id_fields = ["user"]
    inlines = [MembershipInline]
    # Verification goes through the service (its checks, its notifications, who and when).
    readonly_fields = ["status", "verified_at", "verified_by", "rejection_reason", "registry_response"]
    actions = ["mark_verified"]

    def save_model(self, request, obj, form, change):
        preceptor_admin_save(preceptor=obj, by=request.user, changed=form.changed_data if change else [])
        # Listings name only members: a preceptor added here teaches at their home institution.
        preceptor_membership_confirm(preceptor=obj, institution=obj.institution)

    @admin.action(description="Mark selected preceptors as verified")
    def mark_verified(self, request, queryset):
        verified, refused = 0, []
        for preceptor in queryset:
            try:
                preceptor_verification_decide(preceptor=preceptor, by=request.user, verify=True)
                verified += 1
            except (PermissionDenied, ValidationError) as error:
                refused.append(f"{preceptor}: {' '.join(getattr(error, 'messages', [str(error)]))}")
        self.message_user(request, f"{verified} preceptor(s) verified." + "".join(f" {r}" for r in refused))


@admin.register(NpiDispute)
class NpiDisputeAdmin(admin.ModelAdmin):
    list_display = ["npi", "claimant", "holder", "status", "opened_at", "resolved_at"]
    list_filter = ["status"]
    raw_id_fields = ["claimant", "holder"]
    readonly_fields = ["npi", "claimant", "holder", "status", "opened_at", "resolved_at", "resolved_by", "note"]

    def has_add_permission(self, request):
        return False  # opened by a profile's NPI; settled from /staff/preceptors/


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
