"""Site-wide views that belong to no app."""

from django.http import JsonResponse


def healthz(request):
    """A trivial answer for load balancers, and the baseline the benchmarks compare against."""
    return JsonResponse({"status": "ok"})
