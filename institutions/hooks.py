"""Answers the apps above institutions give it, registered at start-up.

Verifying an institution makes its published listings public, and a preceptor's verification
shows on listings; institutions cannot import rotations, so rotations registers here what it
must refresh (its search cache) when either happens.
"""

from collections.abc import Callable

_verification_listeners: list[Callable] = []


def register_verification_listener(listener: Callable) -> None:
    """`listener(institution_ids)`: called after commit once institutions or preceptors are verified."""
    _verification_listeners.append(listener)


def verified(institution_ids) -> None:
    for listener in _verification_listeners:
        listener(institution_ids)
