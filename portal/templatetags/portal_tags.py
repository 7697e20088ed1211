from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

from filings import registry

register = template.Library()


@register.simple_tag
def localized(obj, field: str):
    """``obj.<field>_en`` when the visitor reads English and it is filled in."""
    if (get_language() or "").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field, "")


@register.filter
def get_field(form, name: str):
    """A bound field of ``form`` by name (``form|get_field:"stage_1"``)."""
    return form[name]


@register.simple_tag
def system_list_url(key: str) -> str:
    """The enterprise's list of filings of the system ``key`` ("" if none is registered)."""
    system = registry.find(key)
    if system is None:
        return ""
    try:
        return reverse(f"{system.url_namespace}:list")
    except NoReverseMatch:
        return ""


@register.simple_tag
def module_help_url(key: str) -> str:
    """The help page (帮助文档) editors keep for module ``key`` ("" when there is none)."""
    from portal.cms.selectors import module_help_page

    page = module_help_page(key)
    return page.url if page else ""


@register.simple_tag
def guidance_for(key: str):
    """The guidance page editors keep for the forms of system ``key`` (None if none)."""
    from portal.cms.selectors import guidance_page

    return guidance_page(key)
