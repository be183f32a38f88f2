"""Forms of the institutions app: invitations, the preceptor profile, the admins' verification."""

from django import forms
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)

from accounts.models import Role, User

from .models import Invitation, Preceptor
from .photos import photo_clean
from .profiles import PROFILE_FIELDS
from .selectors import institutions_user_may_invite_to


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Invitation.ROLES)
    institution = forms.ModelChoiceField(queryset=None, empty_label="Choose an institution")

    def __init__(self, *args, institutions, choose_institution: bool, **kwargs):
        """Admins choose the institution; a coordinator always invites to their own."""
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["institution"].queryset = institutions
        if not choose_institution:
            self.fields["institution"].initial = institutions.first()
            self.fields["institution"].widget = forms.HiddenInput()


class InvitationAcceptForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}), help_text=password_validators_help_text_html())
    password2 = forms.CharField(label="Password (again)", widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        password = data.get("password1")
        if password and password != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        elif password:
            candidate = User(email=self.email, first_name=data.get("first_name", ""),
                             last_name=data.get("last_name", ""))
            try:
                validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


def invitation_form_for(user, data=None) -> InvitationForm:
    return InvitationForm(data, institutions=institutions_user_may_invite_to(user),
                          choose_institution=user.role == Role.ADMIN)


class PreceptorProfileForm(forms.ModelForm):
    """The preceptor's own profile; the photo is checked and re-encoded by `photos.photo_clean`."""

    photo_upload = forms.FileField(label="Photo", required=False,
                                   help_text="A PNG or JPEG, at most 5 MB; stored at 512 pixels, without "
                                             "camera data (EXIF).")
    remove_photo = forms.BooleanField(label="Remove my photo", required=False)

    class Meta:
        model = Preceptor
        fields = PROFILE_FIELDS
        widgets = {"bio": forms.Textarea(attrs={"rows": 5}),
                   "npi": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 10, "autocomplete": "off"})}

    SECTIONS = [
        ("Who you are", ["full_name", "degree", "credentials", "npi", "photo_upload", "remove_photo"]),
        ("Practice", ["specialty", "board", "board_year", "title", "department"]),
        ("Teaching", ["languages", "teaching_interests", "bio"]),
    ]

    @property
    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["full_name"].help_text = "As on your medical licence; changing it needs a new verification."
        self.fields["npi"].help_text = "10 digits; changing it needs a new verification."

    def clean_photo_upload(self):
        upload = self.cleaned_data.get("photo_upload")
        return photo_clean(upload) if upload else None

    def _post_clean(self):
        # The service assigns and validates the instance; the form only checks the values.
        pass

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in PROFILE_FIELDS}


class VerificationDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("verify", "Verify"), ("reject", "Reject")])
    reason = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class DisputeResolveForm(forms.Form):
    winner = forms.ChoiceField(choices=[("claimant", "Give the NPI to the claimant"),
                                        ("holder", "Keep it with the holder")])
    note = forms.CharField(required=False, max_length=1000)
