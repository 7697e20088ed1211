from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from notifications.services import latest_event_id, unread
from portal.accounts.roles import ENTERPRISE_ROLES, Role, role_of


def navigation(request):
    """The role-aware navigation every front-end page shows."""
    role = role_of(request.user) if hasattr(request, "user") else None
    return {
        "portal_role": role,
        "is_enterprise_user": role in ENTERPRISE_ROLES,
        "is_owner": role == Role.OWNER,
        "has_back_office": bool(
            hasattr(request, "user") and request.user.has_perm("wagtailadmin.access_admin")
        ),
        "portal_languages": settings.LANGUAGES,
        "unread_notifications": SimpleLazyObject(lambda: _unread(request, role)),
        "latest_event_id": SimpleLazyObject(lambda: _latest_event(request, role)),
        "site_sections": SimpleLazyObject(lambda: _sections(request)),
    }


SECTIONS_SECONDS = 60


def _sections(request):
    """The public site's menu: read once a minute, not on every page of every user."""
    site = Site.find_for_request(request)
    if site is None:
        return []
    key = f"portal:site-sections:{site.pk}"
    sections = cache.get(key)
    if sections is None:
        sections = list(site.root_page.get_children().live().in_menu().specific())
        cache.set(key, sections, SECTIONS_SECONDS)
    return sections


def _unread(request, role):
    if role not in ENTERPRISE_ROLES:
        return 0
    return unread(request.user.pk)


def _latest_event(request, role):
    if role not in ENTERPRISE_ROLES:
        return 0
    return latest_event_id(request.user)
