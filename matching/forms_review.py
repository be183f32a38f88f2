"""The filters of the coordinator's application list: a status tab and one rotation (a listing or one slot)."""

from django import forms

from .selectors import REVIEW_TABS

DEFAULT_TAB = "review"


def tab_of(value: str | None) -> str:
    """An unknown tab falls back to the default one: a bad link still opens a page."""
    return value if value in REVIEW_TABS else DEFAULT_TAB


class RotationFilterForm(forms.Form):
    """One select grouped by listing: "l<id>" is every slot of a listing, "s<id>" one slot.

    The choices come from the slots the user's visible applications are to, so a valid value
    can never reach beyond what the user may see.
    """

    rotation = forms.ChoiceField(label="Rotation", required=False)

    def __init__(self, data=None, *, slots):
        super().__init__(data)
        groups = {}
        for slot in slots:
            listing = slot.listing
            options = groups.setdefault(listing.pk, (listing.title, [(f"l{listing.pk}", "All dates")]))[1]
            options.append((f"s{slot.pk}", f"{slot.start_date:%b %-d} – {slot.end_date:%b %-d, %Y}"))
        self.fields["rotation"].choices = [("", "All rotations")] + list(groups.values())

    def filter(self, applications):
        """The applications of the chosen rotation; all of them when nothing (valid) is chosen."""
        if not self.is_bound or not self.is_valid() or not self.cleaned_data["rotation"]:
            return applications
        value = self.cleaned_data["rotation"]
        if value.startswith("l"):
            return applications.filter(slot__listing_id=int(value[1:]))
        return applications.filter(slot_id=int(value[1:]))
