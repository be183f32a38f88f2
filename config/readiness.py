"""The checks behind /readyz: can this process reach PostgreSQL and Redis, and do workers run?

Each check answers quickly whatever the state of what it checks (Redis with the site's short
timeout, the workers from their last heartbeat row), so a load balancer polling /readyz never
waits on a hung dependency.
"""

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone


def check_postgres() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means the same thing: not ready
        return {"ok": False, "state": "unreachable"}
    return {"ok": True, "state": "ok"}


def check_redis() -> dict:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=settings.REDIS_TIMEOUT,
                                  socket_timeout=settings.REDIS_TIMEOUT)
    try:
        client.ping()
    except redis.RedisError:
        return {"ok": False, "state": "unreachable"}
    finally:
        client.close()
    return {"ok": True, "state": "ok"}


def check_worker() -> dict:
    """The newest heartbeat of any worker (beat's `heartbeat` task, every 30 s)."""
    from notifications.models import WorkerHeartbeat

    last = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    if last is None:
        return {"ok": False, "state": "no heartbeat yet", "last_heartbeat": None}
    age = (timezone.now() - last).total_seconds()
    fresh = age <= settings.WORKER_HEARTBEAT_STALE
    return {"ok": fresh, "state": "ok" if fresh else "stale", "last_heartbeat": last.isoformat(),
            "age_seconds": round(age)}


def readiness() -> tuple[str, dict]:
    """("ok" | "degraded" | "down", each dependency's state); down only without PostgreSQL."""
    checks = {"postgres": check_postgres(), "redis": check_redis()}
    if checks["postgres"]["ok"]:
        checks["worker"] = check_worker()
    else:
        checks["worker"] = {"ok": False, "state": "unknown (no database)", "last_heartbeat": None}
    if not checks["postgres"]["ok"]:
        return "down", checks
    return ("ok" if all(check["ok"] for check in checks.values()) else "degraded"), checks
