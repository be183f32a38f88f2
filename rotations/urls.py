"""URLs of the rotations app; each views module lists its own patterns."""

from . import views_coordinator, views_public, views_search

app_name = "rotations"

urlpatterns = [
    *views_search.urlpatterns,
    *views_public.urlpatterns,
    *views_coordinator.urlpatterns,
]
