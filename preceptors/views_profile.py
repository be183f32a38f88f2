"""The preceptor's public page, its photo, and the preceptor's own profile form."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from accounts.models import Role
from accounts.permissions import role_required
from institutions.forms import PreceptorProfileForm
from institutions.profiles import preceptor_profile_update
from institutions.selectors import own_preceptor_profile, preceptor_open_claim, preceptors_public
from rotations.selectors import listings_public

from .selectors import preceptor_review_summary

NOT_ENOUGH_REVIEWS = "Not enough reviews yet"


def review_summary_for(preceptor) -> dict:
    """{"text", "average", "count", "reviews"}: the published reviews of the placements this
    preceptor supervised, only once there are enough that no reviewer can be singled out."""
    summary = preceptor_review_summary(preceptor)
    if not summary["enough"]:
        return {"text": NOT_ENOUGH_REVIEWS, "average": None, "count": 0, "reviews": []}
    text = f"{summary['average']:.1f} / 5 from {summary['count']} published reviews"
    reviews = summary["reviews"].select_related("application__slot").order_by("-pk")
    return {"text": text, "average": summary["average"], "count": summary["count"], "reviews": reviews}


def public(request, pk):
    preceptor = get_object_or_404(preceptors_public(), pk=pk)
    listings = (listings_public().filter(preceptors=preceptor).select_related("institution")
                .order_by("title"))
    return render(request, "preceptors/profile_public.html", {
        "preceptor": preceptor, "listings": listings,
        "memberships": preceptor.memberships.select_related("institution"),
        "review_summary": review_summary_for(preceptor),
    })


def photo(request, pk):
    preceptor = get_object_or_404(preceptors_public().exclude(photo=""), pk=pk)
    try:
        handle = preceptor.photo.open("rb")
    except FileNotFoundError:
        raise Http404("The photo is missing.") from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@role_required(Role.PRECEPTOR)
def profile_edit(request):
    preceptor = own_preceptor_profile(request.user)
    if preceptor is None:
        raise Http404("No preceptor profile belongs to this account.")
    form = PreceptorProfileForm(request.POST or None, request.FILES or None, instance=preceptor)
    if request.method == "POST" and form.is_valid():
        try:
            preceptor = preceptor_profile_update(
                preceptor=preceptor, by=request.user, changes=form.changes(),
                photo=form.cleaned_data["photo_upload"], remove_photo=form.cleaned_data["remove_photo"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("preceptors:profile_edit")
    status = 400 if form.errors else 200
    return render(request, "preceptors/profile_edit.html", {
        "form": form, "preceptor": preceptor, "claim": preceptor_open_claim(preceptor),
    }, status=status)
