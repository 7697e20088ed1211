"""The machine API (issue 16): /api/v1/ on django-ninja, as Wagtail 8 builds its API v3.

Bearer tokens are Wagtail's own ``APIToken`` (a digest stored, shown once, revocable,
last use recorded) read by Wagtail's ``BearerTokenAuth``; every call runs as the token's
user through the same selectors and services as the web pages.  See docs/api.md.
"""
