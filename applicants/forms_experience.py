"""Forms of the experience log: a whole entry, or the editable part of a completed placement."""

from django import forms

from rotations.forms import iso_date_field

from .models import ExperienceEntry

DUTIES_MAX = 5000
# A placement's dates, institution and specialty come from the slot: they are facts, not claims.
PLACEMENT_FIXED_FIELDS = ("start_date", "end_date", "institution", "specialty")
HELP_TEXTS = {
    "hours": "Total clinical hours over the whole period (1–5000).",
    "duties": "What you did: patients followed, procedures, presentations, notes written.",
    "supervisor": "The physician who supervised you, with their title: “Dr. Jane Smith, MD”.",
}


class _EntryForm(forms.ModelForm):
    duties = forms.CharField(label="Duties", required=False, max_length=DUTIES_MAX, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["hours"].widget.attrs.update(min=1, max=5000)
        self.fields["duties"].widget.attrs.update(rows=4)
        for name, text in HELP_TEXTS.items():
            self.fields[name].help_text = text


class ExperienceEntryForm(_EntryForm):
    """An entry the applicant adds (or edits) themselves: every fact is theirs to state."""

    start_date = iso_date_field("Start date")
    end_date = iso_date_field("End date")

    class Meta:
        model = ExperienceEntry
        fields = ["start_date", "end_date", "institution", "specialty", "setting", "hours", "duties",
                  "supervisor"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the start date.")
        return data


class PlacementEntryForm(_EntryForm):
    """The entry of a completed placement: only what the applicant knows better than the slot."""

    class Meta:
        model = ExperienceEntry
        fields = ["setting", "hours", "duties", "supervisor"]


def experience_form_class(entry: ExperienceEntry) -> type[_EntryForm]:
    return PlacementEntryForm if entry.from_placement else ExperienceEntryForm
