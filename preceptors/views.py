"""Preceptor pages, the applicant's review form, evaluations, and the staff's review moderation:
thin views over the services, every lookup through a user-scoped selector (missing and not
yours both answer 404)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from core.form_support import add_service_errors
from institutions.models import Preceptor

from . import policies, selectors, services
from .forms import DecisionForm, EvaluationForm, ResponseForm, ReviewForm
from .models import COMPETENCIES, LetterStatus, Review, ReviewResponse
from .selectors_letters import letters_for_author


@role_required(Role.PRECEPTOR)
def dashboard(request):
    preceptor = Preceptor.objects.select_related("institution").filter(user=request.user).first()
    placements = selectors.placements_of_preceptor(request.user).order_by("-slot__end_date")
    evaluated = set(selectors.evaluations_visible_to(request.user).values_list("application_id", flat=True))
    letters = letters_for_author(request.user).filter(status__in=[LetterStatus.REQUESTED, LetterStatus.UPLOADED])
    return render(request, "preceptors/dashboard.html", {
        "preceptor": preceptor, "evaluated": evaluated, "letters": letters.order_by("status", "-created_at")[:50],
        "placements": [(p, p.pk in evaluated) for p in placements[:50]],
    })


@role_required(Role.APPLICANT)
def review(request, pk):
    application = get_object_or_404(selectors.placements_of_applicant(request.user), pk=pk)
    existing = Review.objects.filter(application=application).first()
    now = timezone.now()
    if existing:
        refusal = policies.can_moderate(existing, "resubmit", request.user, reason="")
    else:
        refusal = policies.can_review(application, request.user, now)
    initial = {name: getattr(existing, name) for name in ReviewForm.base_fields} if existing else None
    if initial:
        initial["would_recommend"] = "yes" if existing.would_recommend else "no"
    form = ReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            if existing:
                services.review_resubmit(review=existing, by=request.user, data=form.cleaned_data)
            else:
                services.review_submit(application=application, by=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Thank you: your review awaits moderation.")
            return redirect("preceptors:review", pk=application.pk)
    return render(request, "preceptors/review.html", {
        "application": application, "listing": application.slot.listing, "review": existing, "form": form,
        "refusal": refusal, "closes": policies.review_closes(application),
        "revealed": policies.is_revealed(application, now),
    })


@role_required(Role.PRECEPTOR)
def evaluate(request, pk):
    application = get_object_or_404(selectors.placements_of_preceptor(request.user), pk=pk)
    versions = list(selectors.evaluations_visible_to(request.user).filter(application=application))
    correction = bool(versions)
    refusal = policies.can_evaluate(application, request.user, timezone.now(), correction=correction)
    initial = None
    if versions:
        initial = {name: getattr(versions[0], name) for name in EvaluationForm().fields}
        initial["would_write_letter"] = "yes" if versions[0].would_write_letter else "no"
    form = EvaluationForm(request.POST or None, initial=initial)
    if request.method == "POST" and not refusal and form.is_valid():
        write = services.evaluation_correct if correction else services.evaluation_submit
        try:
            write(application=application, by=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Correction saved as a new version." if correction else "Evaluation submitted.")
            return redirect("preceptors:dashboard")
    return render(request, "preceptors/evaluate.html", {
        "application": application, "listing": application.slot.listing, "form": form, "refusal": refusal,
        "versions": versions, "correction": correction, "closes": policies.evaluation_closes(application),
    })


def evaluation(request, pk):
    """A placement's evaluations (every version) and, for the host once revealed, its review."""
    application = get_object_or_404(selectors.placements_with_evaluations_for(request.user), pk=pk)
    now = timezone.now()
    versions = list(selectors.evaluations_visible_to(request.user, now).filter(application=application))
    is_applicant = request.user.pk == application.applicant_id
    return render(request, "preceptors/evaluation.html", {
        "application": application, "listing": application.slot.listing, "versions": versions,
        "competencies": COMPETENCIES, "sealed": is_applicant and not policies.is_revealed(application, now),
        "seal_ends": policies.seal_ends(application),
    })


@role_required(Role.PRECEPTOR, Role.COORDINATOR)
def host_reviews(request):
    """The revealed, published reviews of the host's rotations, never tied to a placement (the
    page names no applicant and no dates), and only for listings past the small-numbers threshold."""
    reviews = selectors.reviews_visible_to(request.user).filter(
        listing__review_count__gte=settings.REVIEWS_MIN_PUBLISHED).order_by("-published_at", "-id")[:100]
    return render(request, "preceptors/host_reviews.html", {
        "reviews": [(r, policies.can_respond(r, request.user, host=True)) for r in reviews], "form": ResponseForm()})


@require_POST
@role_required(Role.PRECEPTOR, Role.COORDINATOR)
def respond(request, pk):
    review_ = get_object_or_404(selectors.reviews_visible_to(request.user), pk=pk)
    form = ResponseForm(request.POST)
    if form.is_valid():
        try:
            services.response_post(review=review_, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Your response awaits moderation.")
    else:
        messages.error(request, "Write your response first.")
    return redirect("preceptors:host_reviews")


@role_required(Role.ADMIN)
def moderation(request):
    reviews, responses = selectors.moderation_queue()
    return render(request, "preceptors/moderation.html", {
        "reviews": reviews[:100], "responses": responses[:100], "form": DecisionForm()})


@require_POST
@role_required(Role.ADMIN)
def moderate_review(request, pk, action):
    review_ = get_object_or_404(selectors.reviews_visible_to(request.user), pk=pk)
    return _decide(request, lambda reason: services.review_moderate(
        review=review_, action=action, by=request.user, reason=reason))


@require_POST
@role_required(Role.ADMIN)
def moderate_response(request, pk, action):
    response = get_object_or_404(ReviewResponse, pk=pk)
    return _decide(request, lambda reason: services.response_moderate(
        response=response, action=action, by=request.user, reason=reason))


def _decide(request, decide):
    form = DecisionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        decide(reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Decision recorded; the author is told.")
    return redirect("preceptors:moderation")
