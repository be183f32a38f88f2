"""User text that others read: no invisible characters that turn the surrounding page around.

The Unicode embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) reorder everything
after them on the line: a legal name ending in U+202E prints the rest of a coordinator's sentence
backwards, and "cv<U+202E>fdp.exe" reads as "cvexe.pdf". Arabic or Hebrew text never needs them
(the browser orders it by itself), so names and titles refuse them and file names drop them.
"""

import re

from django.core.exceptions import ValidationError

DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def reject_direction_controls(value: str) -> None:
    if DIRECTION_CONTROLS.search(value or ""):
        raise ValidationError("Remove the invisible text-direction characters (such as U+202E) from this text.",
                              code="direction_controls")


def without_direction_controls(value: str) -> str:
    return DIRECTION_CONTROLS.sub("", value)
