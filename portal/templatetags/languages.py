"""Names in the reader's language: ``{% load languages %}{{ item|localized_name }}``."""

from django import template

from portal import languages

register = template.Library()


@register.filter
def localized_name(obj) -> str:
    """A named item (``name_zh``/``name_en``) by its name in the active language."""
    return languages.localized_name(obj)
