"""The applicant's clinical experience log: the list with its add form, edit, delete, CSV and PDF."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from core.form_support import add_service_errors

from .experience_export import build_pdf, csv_rows, header_of, total_hours
from .forms_experience import PLACEMENT_FIXED_FIELDS, ExperienceEntryForm, experience_form_class
from .hooks import experience_supplements
from .selectors import experience_of, profile_of
from .services import experience_entry_delete, experience_entry_save


def _entry(request, pk):
    return get_object_or_404(experience_of(request.user), pk=pk)


def _save(request, form) -> bool:
    """Save a valid form through the service; its refusals go next to the fields they name."""
    if not form.is_valid():
        return False
    try:
        experience_entry_save(entry=form.save(commit=False), by=request.user)
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


@role_required(Role.APPLICANT)
def experience(request):
    form = ExperienceEntryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and _save(request, form):
        messages.success(request, "The entry was added to your experience log.")
        return redirect("applicants:experience")
    entries = list(experience_of(request.user))
    return render(request, "applicants/experience.html", {
        "entries": entries, "total_hours": total_hours(entries), "form": form,
    })


@role_required(Role.APPLICANT)
def experience_edit(request, pk):
    entry = _entry(request, pk)
    # Read before the form binds: an invalid POST must not change what the page says it edits.
    fixed = {name: getattr(entry, name) for name in PLACEMENT_FIXED_FIELDS}
    fixed["specialty"] = entry.get_specialty_display()
    form = experience_form_class(entry)(request.POST if request.method == "POST" else None, instance=entry)
    if request.method == "POST" and _save(request, form):
        messages.success(request, "The entry was saved.")
        return redirect("applicants:experience")
    return render(request, "applicants/experience_edit.html", {"entry": entry, "fixed": fixed, "form": form})


@require_POST
@role_required(Role.APPLICANT)
def experience_delete(request, pk):
    entry = _entry(request, pk)
    try:
        experience_entry_delete(entry=entry, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The entry was deleted from your experience log.")
    return redirect("applicants:experience")


def _export(request):
    """The entries, what is always printed under them (a placement's certificate of completion),
    and what the applicant chose to add (`?evaluations=1`: the preceptors' evaluations they may
    read): an export says nothing else."""
    entries = list(experience_of(request.user))
    chosen = request.GET.get("evaluations") == "1"
    return entries, experience_supplements(request.user, entries, chosen=chosen)


@never_cache
@role_required(Role.APPLICANT)
def experience_csv(request):
    # The byte order mark makes Excel read the file as UTF-8 (accented names stay intact).
    response = HttpResponse("\ufeff", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="experience-log.csv"'
    csv.writer(response).writerows(csv_rows(*_export(request)))
    return response


@never_cache
@role_required(Role.APPLICANT)
def experience_pdf(request):
    header = header_of(request.user, profile_of(request.user))
    entries, supplements = _export(request)
    response = HttpResponse(build_pdf(entries, header, supplements), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="experience-log.pdf"'
    return response
