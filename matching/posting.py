"""What the pages that make a move share: the posted note, the errors shown, and the way back.

`move` (any move) and `offer_next` (the waitlist's first) both post a note and a `next` page.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from .forms import MoveForm


def make_move(request, move):
    """Check the posted note, then call `move(message)`; its errors become messages on the page.

    Returns what `move` returned, or None when the note or the move was refused (nothing changed).
    PermissionDenied is left to Django: a move this user may never make answers 403.
    """
    form = MoveForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("message", []):
            messages.error(request, f"Message: {error}")
        return None
    try:
        return move(form.cleaned_data["message"])
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return None


def back_to_next(request, fallback: str):
    """Redirect to the posted `next` when it is a page of this site, else to `fallback`."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)
