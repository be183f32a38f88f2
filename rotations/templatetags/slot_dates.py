"""`{{ slot|date_range }}`: a slot's dates written one way on every page and in every e-mail."""

from django import template
from django.utils.dateformat import format as date_format

register = template.Library()


@register.filter
def date_range(slot) -> str:
    """"Mar 2 – Mar 29, 2027"; the start keeps its year only when the run crosses a new year."""
    start, end = slot.start_date, slot.end_date
    first = date_format(start, "M j" if start.year == end.year else "M j, Y")
    return f"{first} – {date_format(end, 'M j, Y')}"
