"""Forms of the coordinator's pages: a listing, a slot, a CSV upload, and a moderation decision."""

from django import forms

from institutions.models import Institution
from institutions.selectors import preceptors_teaching_at

from .choices import DocumentKind, Visa, listing_places
from .models import Listing, Slot
from .validation import listing_requirement_errors, slot_date_errors

ISO_DATE = "%Y-%m-%d"


class ListingForm(forms.ModelForm):
    """Every fact a coordinator fills in; institution and status are set by the view and moderation."""

    visas = forms.MultipleChoiceField(
        label="Visas accepted", choices=Visa.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked if the rotation accepts any visa status.")
    required_documents = forms.MultipleChoiceField(
        label="Documents required", choices=DocumentKind.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Applicants must hold each of these in their vault before they can apply.")
    preceptors = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="The physicians who supervise this rotation.")

    class Meta:
        model = Listing
        fields = [
            "title", "specialty", "rotation_type", "setting", "duration_weeks", "description",
            "city", "state",
            "audience", "visas", "requires_step1", "requires_step2", "min_step2_score",
            "required_documents",
            "fee_usd", "fee_covers", "refund_policy",
            "letter_possible", "preceptors",
        ]
        labels = {"duration_weeks": "Duration (weeks)"}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "fee_covers": forms.Textarea(attrs={"rows": 3}),
            "refund_policy": forms.Textarea(attrs={"rows": 3}),
        }

    # The template lays the form out in these groups, in this order.
    SECTIONS = [
        ("The rotation", ["title", "specialty", "rotation_type", "setting", "duration_weeks", "description"]),
        ("Where", ["city", "state"]),
        ("Who may apply", ["audience", "visas", "requires_step1", "requires_step2", "min_step2_score",
                           "required_documents"]),
        ("Fee", ["fee_usd", "fee_covers", "refund_policy"]),
        ("Supervision", ["letter_possible", "preceptors"]),
    ]

    def __init__(self, *args, institution: Institution, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["preceptors"].queryset = preceptors_teaching_at(institution.pk)
        self.fields["min_step2_score"].widget.attrs.update(min=1, max=300)
        self.fields["duration_weeks"].widget.attrs.update(min=1, max=52)
        self.fields["state"].choices = [("", "---------"), *listing_places()]
        if not self.instance.pk:
            self.initial["city"] = self.initial.get("city") or institution.city
            self.initial["state"] = self.initial.get("state") or institution.state

    def clean(self):
        data = super().clean()
        errors = listing_requirement_errors(min_step2_score=data.get("min_step2_score"),
                                            requires_step2=data.get("requires_step2"))
        for field, message in errors.items():
            self.add_error(field, message)
        return data

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]


class IsoDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format=ISO_DATE)


def iso_date_field(label: str, *, error_messages=None, **kwargs) -> forms.DateField:
    """A date typed or picked as YYYY-MM-DD, whatever the browser's locale (every app's forms)."""
    return forms.DateField(label=label, input_formats=[ISO_DATE], widget=IsoDateInput(),
                           error_messages={"invalid": "Enter a date as YYYY-MM-DD.", **(error_messages or {})},
                           **kwargs)


class SlotForm(forms.ModelForm):
    """A dated run of a listing; the CSV import validates each row with this same form."""

    start_date = iso_date_field("Start date")
    end_date = iso_date_field("End date")
    application_deadline = iso_date_field("Application deadline")

    class Meta:
        model = Slot
        fields = ["start_date", "end_date", "capacity", "application_deadline", "offer_valid_days"]
        labels = {"capacity": "Seats", "offer_valid_days": "Offer valid for (days)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["capacity"].widget.attrs.update(min=1, max=500)
        self.fields["offer_valid_days"].widget.attrs.update(min=1, max=60)

    def clean(self):
        data = super().clean()
        errors = slot_date_errors(
            start=data.get("start_date"), end=data.get("end_date"), deadline=data.get("application_deadline"),
            start_moved=not self.instance.pk or "start_date" in self.changed_data,
        )
        for field, message in errors.items():
            self.add_error(field, message)
        return data


class SlotImportForm(forms.Form):
    file = forms.FileField(label="CSV file", widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)


class ReturnForm(forms.Form):
    """The admin's reason for returning a listing to its coordinators."""

    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Say what needs to change."},
                             help_text="The coordinators read this in their notification.")

    def __init__(self, *args, listing_id: int, **kwargs):
        # Each listing of the queue has its own form; the ids must not collide on the page.
        super().__init__(*args, label_suffix="", auto_id=f"return-{listing_id}-%s", **kwargs)
        self.listing_id = listing_id
