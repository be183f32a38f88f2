"""`move`: the one web endpoint for every move by every role (the applicant's and the review pages
post to it); the service, asking the rule book, decides who may make which move."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Role

from .moves import MOVES
from .posting import back_to_next, make_move
from .selectors import applications_visible_to
from .services import application_transition
from .views_review import review_page


@require_POST
@login_required
def move(request, pk, action):
    item = get_object_or_404(applications_visible_to(request.user), pk=pk)
    if action not in MOVES:
        raise Http404("No such move.")
    moved = make_move(request, lambda message: application_transition(
        application=item, action=action, by=request.user, message=message))
    if moved is not None:
        messages.success(request, MOVES[action].done)
    elif _from_review_page(request, item):
        # Shown again in place, not reloaded: a redirect would lose the note the reviewer typed.
        return review_page(request, item.pk, typed={action: request.POST.get("message", "")})
    page = "matching:application" if request.user.role == Role.APPLICANT else "matching:review"
    return back_to_next(request, reverse(page, args=[item.pk]))


def _from_review_page(request, item) -> bool:
    """Whether a staff member posted from this application's review page (which comes back to itself)."""
    review = reverse("matching:review", args=[item.pk])
    return (request.user.role in (Role.COORDINATOR, Role.ADMIN)
            and urlsplit(request.POST.get("next") or review).path == review)
