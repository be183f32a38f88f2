"""What search results show of each listing (its result card, its API item), kept per version.

Real traffic spreads over 100,000 listings, but most listings on a page were shown by earlier
searches: drawing them again (reading their rows, slots and preceptors, and drawing a card or
serializing an item) cost more than finding the matches. A page found by the search index
(rotations.search.IndexedPage) names each listing's version: the transaction that last wrote its
row (`search_xid`), which triggers stamp on every write of the listing and of all that is shown
with it (its slots, preceptors and institution: migrations 0012 and 0013). What was drawn from a
row is kept under that version, the day (a slot's "open" and the seats left past a deadline are
as of today) and the language; a page reads and draws only the listings this process has not
drawn in their current version.

Pages read by queries (rotations.search.SearchResults, in a transaction that has written, where
one version can still change) are drawn afresh.
"""

import threading
from collections.abc import Callable, Sequence

import cachetools
from django.utils.translation import get_language


class Kept:
    """Drawings of listings, the least recently shown forgotten first past `size`."""

    def __init__(self, size: int):
        self._kept = cachetools.LRUCache(maxsize=size)
        self._lock = threading.Lock()  # runserver answers in threads

    def page(self, page, draw: Callable[[Sequence], list]) -> list:
        """What `draw(listings)` gives for each listing of `page` in its order: kept for an
        IndexedPage (a listing withdrawn since the search found it is left out, as
        rotations.search._load leaves it), drawn afresh for rows read by a query."""
        versions = getattr(page, "versions", None)
        if versions is None:
            return draw(list(page))
        context = (page.today, get_language())
        with self._lock:
            found = {pk: self._kept.get((pk, stamp, *context)) for pk, stamp in versions}
        missing = [pk for pk, kept in found.items() if kept is None]
        if missing:
            listings = page.load(missing)
            with self._lock:
                for listing, drawn in zip(listings, draw(listings), strict=True):
                    self._kept[(listing.pk, listing.search_xid, *context)] = found[listing.pk] = drawn
        return [drawn for drawn in found.values() if drawn is not None]

    def forget(self) -> None:
        """Drop everything kept (tests)."""
        with self._lock:
            self._kept.clear()
