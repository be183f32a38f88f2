"""Forms of the application pages: the statement sent with an application, and the note sent with a move."""

from django import forms

from .services import STATEMENT_MAX


class ApplicationForm(forms.Form):
    statement = forms.CharField(
        label="Your statement", max_length=STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"Why this rotation, and what you bring to it (up to {STATEMENT_MAX:,} characters). "
                  "The host reads it with your profile and verified documents.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)


class MoveForm(forms.Form):
    """The optional note that goes with a move; a form (not request.POST as is) so that a NUL
    byte or a novel-length note is refused with a message instead of failing in the database."""

    message = forms.CharField(required=False, max_length=STATEMENT_MAX)
