"""Site-wide views that belong to no app."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .readiness import readiness


def healthz(request):
    """A trivial answer for load balancers, and the baseline the benchmarks compare against."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """Each dependency's state, for the load balancer and for admins.

    503 only without PostgreSQL, the store of record: without Redis or a worker the site still
    serves every page (slower searches, e-mails waiting in the outbox), so it stays in rotation
    and says "degraded".
    """
    status, checks = readiness()
    return JsonResponse({"status": status, "checks": checks}, status=503 if status == "down" else 200)
