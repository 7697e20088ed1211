"""The reader's language.

The portal shows the language chosen with the switch (a cookie, see
``portal.middleware``).  An explicit switch by a signed-in user is also kept on
the user's Wagtail profile (``preferred_language``), which the Wagtail admin
runs under and which e-mails, written without a request, are sent in.  Users
who never switch keep an empty preference: the admin follows the active
language and e-mails are Chinese.
"""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils.functional import lazy
from django.utils.translation import check_for_language, get_language
from django.views import i18n
from wagtail.users.models import UserProfile


def _format(message, params) -> str:
    return str(message) % params


_formatted = lazy(_format, str)


def formatted(message, **params):
    """``message % params``, kept lazy: rendered in the language active where it is
    shown (a service's error read by the API in Chinese and in English, a page in the
    reader's), where ``gettext_lazy(...) % params`` renders at once in the language
    active when it is built."""
    return _formatted(message, params)


def localized_name(obj) -> str:
    """A named item (``name_zh``/``name_en``) by its name in the active language."""
    if obj is None:
        return ""
    english = (get_language() or "").startswith("en")
    return (english and getattr(obj, "name_en", "")) or getattr(obj, "name_zh", "")


def preferred_language(user) -> str:
    """The language ``user`` chose with the switch, else the portal's (Chinese)."""
    try:
        language = user.wagtail_userprofile.preferred_language
    except (ObjectDoesNotExist, AttributeError):
        return settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def remember_language(user, language: str) -> None:
    """Keep an explicit choice on the user's profile (the admin and e-mails follow it)."""
    if language not in dict(settings.LANGUAGES):
        return
    profile = UserProfile.get_for_user(user)
    if profile.preferred_language != language:
        profile.preferred_language = language
        profile.save(update_fields=["preferred_language"])


def set_language(request):
    """Django's language switch, remembered on the profile of a signed-in user."""
    response = i18n.set_language(request)
    language = request.POST.get(i18n.LANGUAGE_QUERY_PARAMETER) if request.method == "POST" else ""
    if (
        request.user.is_authenticated
        and language
        and check_for_language(language)
        and response.cookies.get(settings.LANGUAGE_COOKIE_NAME) is not None
    ):
        remember_language(request.user, language)
    return response
