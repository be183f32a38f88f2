"""The review, evaluation, response and moderation forms: shapes only; the services check values."""

from django import forms

from .models import COMPETENCIES, TEXT_MAX, TEXT_MIN, Level, RejectReason

STARS = [(n, str(n)) for n in range(1, 6)]
YES_NO = [("yes", "Yes"), ("no", "No")]


def _rating(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=STARS, coerce=int, widget=forms.RadioSelect)


def _yes_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=YES_NO, coerce=lambda v: v == "yes", widget=forms.RadioSelect)


class ReviewForm(forms.Form):
    overall = _rating("Overall")
    teaching = _rating("Teaching")
    hands_on = _rating("Hands-on exposure, as the listing promised")
    organisation = _rating("Organisation")
    value = _rating("Value for the fee")
    would_recommend = _yes_no("Would you recommend this rotation?")
    text = forms.CharField(label="Your review", widget=forms.Textarea(attrs={"rows": 8}), min_length=TEXT_MIN,
                           max_length=TEXT_MAX, help_text=f"{TEXT_MIN} to {TEXT_MAX} characters. Do not name anyone.")


class EvaluationForm(forms.Form):
    overall = _rating("Overall rating")
    strengths = forms.CharField(label="Strengths", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    improvements = forms.CharField(label="Areas to improve", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    would_write_letter = _yes_no("I would write a letter of recommendation")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in reversed(COMPETENCIES):
            self.fields = {name: forms.TypedChoiceField(label=label, choices=Level.choices[1:] + Level.choices[:1],
                                                        coerce=int, widget=forms.RadioSelect), **self.fields}


class ResponseForm(forms.Form):
    text = forms.CharField(label="Your public response", widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_MAX)


class DecisionForm(forms.Form):
    reason = forms.ChoiceField(label="Reason (content policy)", choices=[("", "—"), *RejectReason.choices],
                               required=False)
