"""API tokens (Wagtail's ``APIToken``): every signed-in user creates, lists and
revokes their own.  A token is shown once, at creation; only its digest is kept.
Back-office users create tokens only in a session that passed the second factor."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import APIToken

from portal.accounts import second_factor

MAX_NAME = 100


def _needs_second_factor(request) -> bool:
    return second_factor.is_back_office(request.user) and not second_factor.is_verified(request)


def _page(request, *, created=None, status=200, error=""):
    tokens = APIToken.objects.filter(user=request.user).order_by("-created")
    return render(
        request,
        "api/tokens.html",
        {
            "tokens": tokens,
            "created": created,
            "error": error,
            "needs_second_factor": _needs_second_factor(request),
            "back_office": second_factor.is_back_office(request.user),
        },
        status=status,
    )


@login_required
def tokens(request):
    if request.method != "POST":
        return _page(request)
    if _needs_second_factor(request):
        return _page(
            request,
            status=403,
            error=_("Give the code of your authenticator first: back-office tokens need it."),
        )
    name = (request.POST.get("name") or "").strip()
    if not name or len(name) > MAX_NAME:
        return _page(
            request,
            status=400,
            error=_("Name the token (at most %(n)s characters), e.g. the system that uses it.")
            % {"n": MAX_NAME},
        )
    token, plaintext = APIToken.create_token(user=request.user, name=name)
    # Shown on this response only: never stored, never redirected through a URL.
    response = _page(request, created={"token": token, "plaintext": plaintext})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def revoke(request, token_id: int):
    token = get_object_or_404(APIToken, pk=token_id, user=request.user, revoked_at__isnull=True)
    token.revoke()
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("api_tokens:list")
