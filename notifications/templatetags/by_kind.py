"""`{% include action|part_for:"<template>" %}`: words chosen by a key, kept as data in partials.

A notification's template holds one `{% partialdef %}` per action (and an `other` one for the
rest) instead of an `if … elif` chain; this filter names the partial for `{% include %}`.
"""

from django import template

register = template.Library()


@register.filter
def part_for(key: str, template_name: str) -> list[str]:
    """The partial of `template_name` named `key`, or its `other` partial when there is none."""
    return [f"{template_name}#{key}", f"{template_name}#other"]
