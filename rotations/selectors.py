"""Reads of institutions, scoped to the user who asks."""

from .models import Coordinator


def coordinator_membership(user) -> Coordinator | None:
    return Coordinator.objects.select_related("institution").filter(user=user).first()
