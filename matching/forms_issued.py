"""The form of an institution's choice of signatory for the documents its applicants issue."""

from django import forms

from institutions.models import Coordinator


def _name(coordinator: Coordinator) -> str:
    user = coordinator.user
    title = f", {coordinator.title}" if coordinator.title else ""
    return f"{user.get_full_name() or user.email}{title} ({user.email})"


class SignatoryForm(forms.Form):
    """One of the institution's own coordinators; a posted id of anyone else's is not a choice."""

    coordinator = forms.ModelChoiceField(queryset=Coordinator.objects.none(), widget=forms.RadioSelect,
                                         empty_label=None, label="Signatory")

    def __init__(self, data=None, *, institution_id, initial=None):
        super().__init__(data, initial=initial)
        field = self.fields["coordinator"]
        field.queryset = Coordinator.objects.filter(institution_id=institution_id).select_related("user").order_by(
            "created_at", "pk")
        field.label_from_instance = _name
