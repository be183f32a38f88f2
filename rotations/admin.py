"""Listings and slots in the Django admin; every change goes through the services.

So an admin's save refreshes the search document, keeps the date lock and tells the search
cache, exactly as a coordinator's does. A change the services refuse rolls back whole and
comes back as a message, not a server error.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect

from .models import Listing, SavedListing, Slot
from .services import listing_save, slot_delete, slot_save


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

    def changeform_view(self, request, *args, **kwargs):
        # The admin wraps the save in a transaction: a refusal raised inside undoes all of it.
        try:
            return super().changeform_view(request, *args, **kwargs)
        except (ValidationError, PermissionDenied) as error:
            words = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            self.message_user(request, f"Nothing was saved: {words}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        listing_save(listing=obj, by=request.user, preceptors=form.cleaned_data.get("preceptors"))

    def save_formset(self, request, form, formset, change):
        if formset.model is not Slot:
            return super().save_formset(request, form, formset, change)
        changed = formset.save(commit=False)
        for slot in formset.deleted_objects:
            slot_delete(slot=slot, by=request.user)
        for slot in changed:
            for warning in slot_save(slot=slot, by=request.user).warnings:
                self.message_user(request, warning, messages.WARNING)


@admin.register(SavedListing)
class SavedListingAdmin(admin.ModelAdmin):
    list_display = ["user", "listing", "created_at"]
    search_fields = ["user__email", "listing__title"]
    raw_id_fields = ["user", "listing"]
