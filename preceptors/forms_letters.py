"""The letter forms: shapes only; the services check who and what."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from .models import LetterRequest

OTHER = "other"
WAIVER = [
    ("waive", "I waive my right to see this letter (recommended)"),
    ("keep", "I keep my right to see this letter"),
]
WAIVER_HELP = ("Programs give more weight to letters the applicant has not seen, and most expect the waiver, as on "
               "ERAS. A waived letter is never shown to you: you see who wrote it, its letter ID and when it was "
               "uploaded and shared. You can change this until the letter is uploaded, not after.")


class LetterRequestForm(forms.Form):
    author = forms.ChoiceField(label="Author", widget=forms.RadioSelect)
    author_name = forms.CharField(label="Author's name", max_length=200, required=False,
                                  help_text="With their title, e.g. Dr. Jane Smith, MD.")
    author_email = forms.EmailField(label="Author's e-mail", required=False)
    author_title = forms.CharField(label="Title", max_length=100, required=False, help_text="E.g. Attending physician.")
    author_department = forms.CharField(label="Department", max_length=100, required=False)
    specialty_label = forms.CharField(label="Specialty label", max_length=100,
                                      help_text="What the letter is for, e.g. Internal Medicine. Only you and the "
                                                "author see it.")
    message = forms.CharField(label="Message to the author (optional)", required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    waiver = forms.ChoiceField(label="Your right to see the letter", choices=WAIVER, initial="waive",
                               widget=forms.RadioSelect, help_text=WAIVER_HELP)

    def __init__(self, *args, authors=(), offers=None, **kwargs):
        super().__init__(*args, **kwargs)
        offers = offers or {}
        choices = []
        for preceptor in authors:
            label = preceptor.full_name + (f", {preceptor.title}" if preceptor.title else "")
            if preceptor.pk in offers:
                label += " — said they would write a letter" if offers[preceptor.pk] else \
                    " — said they would not write a letter"
            choices.append((str(preceptor.pk), label))
        self.fields["author"].choices = [*choices, (OTHER, "Another physician (name and e-mail below)")]
        self.fields["author"].initial = choices[0][0] if choices else OTHER
        self.preceptors = {str(p.pk): p for p in authors}

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["preceptor"] = self.preceptors.get(data.pop("author"))
        data["waived"] = data.pop("waiver") == "waive"
        return data


class LetterUploadForm(forms.Form):
    confirm = forms.BooleanField(label="I am the author named above, and this is my letter for this applicant.")
    file = forms.FileField(label="The letter (PDF)", help_text=(
        f"One PDF, at most {filesizeformat(settings.LETTER_MAX_BYTES)}, without a password, scripts or attachments."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}))


class LetterShareForm(forms.Form):
    letters = forms.ModelMultipleChoiceField(queryset=LetterRequest.objects.none(), widget=forms.CheckboxSelectMultiple,
                                             label="Letters to share")
    program_name = forms.CharField(label="Program", max_length=200, help_text="E.g. Mercy Hospital Internal Medicine "
                                                                              "Residency.")
    recipient_email = forms.EmailField(label="Recipient's e-mail", help_text="The program coordinator who reads them.")

    def __init__(self, *args, letters=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["letters"].queryset = letters if letters is not None else LetterRequest.objects.none()
        self.fields["letters"].label_from_instance = lambda letter: f"{letter.code} · {letter.author_name} · " \
                                                                    f"{letter.specialty_label}"


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason (recorded)", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
