"""Applicant pages."""

from django.shortcuts import render

from accounts.models import Role
from accounts.permissions import role_required


@role_required(Role.APPLICANT)
def dashboard(request):
    return render(request, "applicants/dashboard.html")
