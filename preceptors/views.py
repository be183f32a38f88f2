"""Preceptor pages."""

from django.shortcuts import render

from accounts.models import Role
from accounts.permissions import role_required
from institutions.models import Preceptor


@role_required(Role.PRECEPTOR)
def dashboard(request):
    preceptor = Preceptor.objects.select_related("institution").filter(user=request.user).first()
    return render(request, "preceptors/dashboard.html", {"preceptor": preceptor})
