"""The public listing search page; HTMX asks it for the results fragment only."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property

from .search import SearchForm, listing_search

PAGE_SIZE = 20
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 matches: an exact count of 90,000 rows costs more than the
    page itself, and nobody pages past fifty pages of rotations."""

    @cached_property
    def count(self):
        return self.object_list[:COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


def search(request):
    form = SearchForm(request.GET)
    form.is_valid()  # Invalid fields are shown with their error and left out of cleaned_data.
    page = CappedPaginator(listing_search(form.cleaned_data), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page}
    # A history restore after a cache miss needs the whole page, though it comes from HTMX.
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "rotations/search/search.html#results", context)
    else:
        response = render(request, "rotations/search/search.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


urlpatterns = [
    path("listings/", search, name="search"),
]
