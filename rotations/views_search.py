"""The public listing search page; HTMX asks it for the results fragment only."""

from django.shortcuts import render
from django.urls import path
from django.utils.cache import patch_vary_headers

from .search import CappedPaginator, SearchForm, listing_search
from .search_cache import cache_anonymous_search, wants_results_only

PAGE_SIZE = 20


@cache_anonymous_search
def search(request):
    form = SearchForm(request.GET)
    form.is_valid()  # Invalid fields are shown with their error and left out of cleaned_data.
    page = CappedPaginator(listing_search(form.cleaned_data), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page}
    if wants_results_only(request):
        response = render(request, "rotations/search/search.html#results", context)
    else:
        response = render(request, "rotations/search/search.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


urlpatterns = [
    path("listings/", search, name="search"),
]
