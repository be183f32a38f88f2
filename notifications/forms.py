from django import forms

from .models import Category


class EmailPreferencesForm(forms.Form):
    """One checkbox per category a user may mute; account e-mails are not offered."""

    def __init__(self, *args, current: dict[str, bool], **kwargs):
        super().__init__(*args, **kwargs)
        for category in Category.optional():
            self.fields[category.value] = forms.BooleanField(
                label=category.label, required=False,
                initial=current.get(category.value, category not in Category.opt_in()),
            )
