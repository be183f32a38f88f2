"""Forms of the institutions app: sending and accepting invitations."""

from django import forms
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)

from accounts.models import Role, User

from .models import Invitation
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
