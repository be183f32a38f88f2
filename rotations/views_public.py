"""Filled in by the listings work (issue 4)."""

urlpatterns = []
