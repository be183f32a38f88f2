"""Filters of the inbox page: a notification's body without its own link, and its age in words."""

import re
from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()

URL = re.compile(r"https?://\S+")


@register.filter
def without_link(body: str, path: str) -> str:
    """The body without its last line when that line is the absolute link to `path`: the inbox's
    title links there already, and a long URL would not wrap on a phone. E-mails keep the line.
    A sentence that introduced the link ("approve or cancel the placement:") ends with a full stop."""
    head, _, last = body.rstrip().rpartition("\n")
    last = last.strip()
    if not (path and URL.fullmatch(last) and last.endswith(path)):
        return body
    head = head.rstrip()
    return head[:-1] + "." if head.endswith(":") else head


@register.filter
def ago(moment) -> str:
    """The age in words: "just now" in the first minute (timesince says "0 minutes"), else "3 hours ago"."""
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"
