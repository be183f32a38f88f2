from django.contrib import admin

from .models import Listing, SavedListing, Slot


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
