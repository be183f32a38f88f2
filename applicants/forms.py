"""Forms of the applicant's pages: the profile, a document upload, and the admin's review decision."""

from django import forms
from django.utils import timezone
from localflavor.us.us_states import US_STATES

from rotations.choices import DocumentKind, Specialty
from rotations.forms import iso_date_field

from . import policies
from .choices import EXPIRING_KINDS
from .models import Profile
from .uploads import FILE_ERRORS
from .validation import MAX_LANGUAGES

ACCEPTED_FILES = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"


class CommaSeparatedField(forms.CharField):
    """A list typed as "English, Spanish": trimmed, without blanks or repeats."""

    def __init__(self, *, item_max_length: int, max_items: int, **kwargs):
        super().__init__(max_length=1000, **kwargs)
        self.item_max_length, self.max_items = item_max_length, max_items

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, (list, tuple)) else value

    def clean(self, value) -> list[str]:
        text = super().clean(value)  # the raw text's checks first: NUL bytes, overall length
        items = []
        for item in (part.strip() for part in text.split(",")):
            if item and item.casefold() not in {i.casefold() for i in items}:
                items.append(item)
        too_long = [item for item in items if len(item) > self.item_max_length]
        if too_long:
            raise forms.ValidationError(
                f"“{too_long[0][:60]}” is too long: at most {self.item_max_length} characters per item.")
        if len(items) > self.max_items:
            raise forms.ValidationError(f"List at most {self.max_items}.")
        return items


class ProfileForm(forms.ModelForm):
    """Every fact of the profile; saved through `profile_save`."""

    languages = CommaSeparatedField(
        item_max_length=50, max_items=MAX_LANGUAGES, required=False,
        help_text="Separate them with commas, for example: English, Spanish, Arabic.")
    specialties = forms.MultipleChoiceField(
        label="Specialties of interest", choices=Specialty.choices, required=False,
        widget=forms.CheckboxSelectMultiple)
    # The 50 states and DC (localflavor's US_STATES already includes DC), without the territories,
    # freely associated states and military mail codes that STATE_CHOICES adds to the checkboxes.
    preferred_states = forms.MultipleChoiceField(
        label="Preferred states", choices=US_STATES, required=False,
        widget=forms.CheckboxSelectMultiple, help_text="Leave all unticked if any state suits you.")
    available_from = iso_date_field("Available from", required=False)
    available_until = iso_date_field("Available until", required=False)

    class Meta:
        model = Profile
        fields = [
            "legal_name", "citizenship", "visa_status", "languages",
            "medical_school", "school_country", "stage", "graduation_year",
            "ecfmg_status", "step1_status", "step1_score", "step2_status", "step2_score",
            "specialties", "preferred_states", "available_from", "available_until", "budget_usd",
            "target_match_year",
        ]
        labels = {"visa_status": "US visa status", "budget_usd": "Budget (USD)"}
        help_texts = {"budget_usd": "The most you can spend on rotation fees."}

    # The template lays the form out in these groups, in this order.
    SECTIONS = [
        ("About you", ["legal_name", "citizenship", "visa_status", "languages"]),
        ("Medical school", ["medical_school", "school_country", "stage", "graduation_year"]),
        ("USMLE and ECFMG", ["step1_status", "step1_score", "step2_status", "step2_score", "ecfmg_status"]),
        ("What you are looking for", ["specialties", "preferred_states", "available_from", "available_until",
                                      "budget_usd", "target_match_year"]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        for name in ("step1_score", "step2_score"):
            self.fields[name].widget.attrs.update(min=1, max=300)
        self.fields["graduation_year"].widget.attrs.update(min=1960, max=2040)
        self.fields["budget_usd"].widget.attrs.update(min=0, max=100_000, step=50)

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]


class DocumentUploadForm(forms.Form):
    """One row of the vault: a file for one kind, with its expiry date where the kind has one."""

    kind = forms.ChoiceField(choices=DocumentKind.choices, widget=forms.HiddenInput)
    file = forms.FileField(
        label="File", allow_empty_file=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}),
        error_messages=FILE_ERRORS)

    def __init__(self, *args, kind: str, **kwargs):
        # Ten forms share the page: each kind's ids get their own prefix.
        super().__init__(*args, label_suffix="", auto_id=f"upload-{kind}-%s", **kwargs)
        self.kind = kind
        self.initial["kind"] = kind
        # Every kind reads a date sent to it, so that `document_upload` refuses one sent with a
        # kind that has none (as the API does) instead of the form dropping it unseen; the page
        # shows the input only where `expires` (and the error wherever there is one).
        self.expires = kind in EXPIRING_KINDS
        self.fields["expires_on"] = iso_date_field(
            "Expires on", required=self.expires,
            error_messages={"required": policies.refusal_of_expiry_date(kind=kind, expires_on=None)})
        self.fields["expires_on"].widget.attrs["min"] = timezone.localdate().isoformat()

class DocumentReviewForm(forms.Form):
    """The admin's decision on one pending document (`verified` 1 or 0); `document_review` refuses
    a rejection without a reason, and the view shows that under `reason`."""

    verified = forms.TypedChoiceField(choices=[("1", "Verify"), ("0", "Reject")], coerce=lambda v: v == "1",
                                      widget=forms.HiddenInput)
    reason = forms.CharField(label="Reason to reject", required=False, max_length=1000)

    def __init__(self, *args, document_id: int, **kwargs):
        super().__init__(*args, label_suffix="", auto_id=f"review-{document_id}-%s", **kwargs)
        self.document_id = document_id
