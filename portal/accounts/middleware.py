from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import second_factor

# Paths a back-office user may reach before passing the second factor.
OPEN_PREFIXES = ("/accounts/", "/static/", "/media/", "/i18n/", "/lang/")


class SecondFactorMiddleware:
    """Back-office users pass the second factor before anything but sign-in.

    Not yet enrolled: sent to enrol; enrolled: sent to give a code.  Every
    page outside the sign-in pages is closed to them until then (GET and POST).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and second_factor.is_back_office(user)
            and not second_factor.is_verified(request)
        ):
            name = (
                "accounts:second-factor"
                if second_factor.is_enrolled(user)
                else "accounts:second-factor-enrol"
            )
            return redirect(reverse(name) + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)
