"""The applicant's recommendations page and its "Recommended for you" block on the dashboard."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.models import Role
from accounts.permissions import role_required
from applicants.selectors import documents_visible_to, profile_of

from .recommend import FACTOR_WORDS, WEIGHTS, explain, ranked, recommended, slots_of


@role_required(Role.APPLICANT)
def recommendations(request):
    """Constant queries whatever the number of listings: the profile, the documents, the count,
    the page's ranked ids (filtered and scored in the database) and their slots."""
    profile = profile_of(request.user)
    documents = list(documents_visible_to(request.user))
    within_budget = request.GET.get("within_budget") == "1"
    page = Paginator(ranked(profile, documents, within_budget=within_budget),
                     settings.RECOMMENDATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "matching/recommendations.html", {
        "profile": profile, "page": page, "within_budget": within_budget,
        "weights": [(FACTOR_WORDS[name], weight) for name, weight in WEIGHTS.items()],
        "items": [explain(slot, profile, documents) for slot in slots_of(page)], "max_score": sum(WEIGHTS.values())})


def dashboard_part(request, profile) -> dict:
    """The dashboard's three best recommendations (registered with applicants' dashboard)."""
    if profile is None:
        return {}
    documents = list(documents_visible_to(request.user))
    items = [explain(slot, profile, documents) for slot in recommended(profile, documents, limit=3)]
    return {"template": "matching/_recommended_block.html", "items": items, "max_score": sum(WEIGHTS.values())}
