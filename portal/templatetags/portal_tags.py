from django import template
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def localized(obj, field: str):
    """``obj.<field>_en`` when the visitor reads English and it is filled in."""
    if (get_language() or "").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field, "")
