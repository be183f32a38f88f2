from django.contrib import admin
from django.utils import timezone

from .models import Coordinator, Institution, Listing, SavedListing, Slot


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
    actions = ["mark_verified"]

    @admin.action(description="Mark selected institutions as verified")
    def mark_verified(self, request, queryset):
        updated = queryset.filter(verified_at__isnull=True).update(verified_at=timezone.now())
        self.message_user(request, f"{updated} institution(s) verified.")


@admin.register(Coordinator)
class CoordinatorAdmin(admin.ModelAdmin):
    list_display = ["user", "institution", "title", "created_at"]
    list_filter = ["institution__state"]
    search_fields = ["user__email", "user__last_name", "institution__name"]
    list_select_related = ["user", "institution"]
    raw_id_fields = ["user"]


class SlotInline(admin.TabularInline):
    model = Slot
    extra = 0
    readonly_fields = ["seats_taken"]


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ["title", "institution", "specialty", "rotation_type", "status", "fee_usd",
                    "published_at"]
    list_filter = ["status", "specialty", "rotation_type", "audience", "letter_possible", "state"]
    search_fields = ["title", "institution__name", "city"]
    list_select_related = ["institution"]
    raw_id_fields = ["institution"]
    filter_horizontal = ["preceptors"]
    readonly_fields = ["status", "submitted_at", "published_at", "return_reason"]
    inlines = [SlotInline]


@admin.register(SavedListing)
class SavedListingAdmin(admin.ModelAdmin):
    list_display = ["user", "listing", "created_at"]
    search_fields = ["user__email", "listing__title"]
    raw_id_fields = ["user", "listing"]
