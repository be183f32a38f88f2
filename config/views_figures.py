"""The figures pages: admins' over every institution, each coordinator's over their own; each figure as CSV."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import role_required
from institutions.selectors import coordinator_membership

from .figures import figures_for, scope_of
from .figures_links import Links
from .figures_page import figures_page
from .figures_period import MONTH_FORMAT, PeriodForm


@role_required(Role.ADMIN)
def staff_figures(request):
    return _figures(request, heading="Marketplace figures")


@role_required(Role.COORDINATOR)
def coordinator_figures(request):
    membership = coordinator_membership(request.user)
    if membership is None:
        return render(request, "figures/no_institution.html")
    return _figures(request, heading=f"Figures: {membership.institution.name}")


def _figures(request, *, heading: str):
    form = PeriodForm(request.GET, today=timezone.localdate())
    wants_csv = request.GET.get("format") == "csv"
    if not form.is_valid():
        if wants_csv:
            return HttpResponse(" ".join(_errors(form)), status=400, content_type="text/plain; charset=utf-8")
        return render(request, "figures/figures.html", {"form": form, "heading": heading}, status=400)
    scope, period = scope_of(request.user), form.cleaned_data["period"]
    page = figures_page(figures_for(scope, period), Links(scope.site_wide, period))
    if wants_csv:
        return _csv(page.tables, request.GET.get("figure", ""), period)
    return render(request, "figures/figures.html", {
        "form": form, "heading": heading, "period": period, "page": page, "site_wide": scope.site_wide})


def _errors(form) -> list[str]:
    return [message for messages in form.errors.values() for message in messages]


def _csv(tables, name: str, period) -> HttpResponse:
    if name not in tables:
        raise Http404("No such figure.")
    response = HttpResponse(tables[name].csv(), content_type="text/csv; charset=utf-8")
    filename = f"rotamatch-{name}-{period.first:{MONTH_FORMAT}}-to-{period.last:{MONTH_FORMAT}}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


app_name = "figures"

urlpatterns = [
    path("staff/figures/", staff_figures, name="staff"),
    path("coordinator/figures/", coordinator_figures, name="coordinator"),
]
