"""Public verification of printed notices and certificates (/verify/<code>/)."""

import re

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from . import services


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    """Shown in the browser's viewer (to print), with a sensible name when saved."""
    # Numbers and names come from data: only a plain ASCII name reaches the header.
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip(".-")[:100] or "document"
    if not safe.lower().endswith(".pdf"):
        safe += ".pdf"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{safe}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def verify_form(request):
    """The form behind the short code printed on each document."""
    code = services.normalise_code(request.GET.get("code", ""))
    if code:
        return redirect("verify", code=code)
    return render(request, "documents/verify.html", {})


@never_cache
def verify(request, code: str):
    result = services.verify(code)
    # A visitor may paste the SHA-256 of the copy they hold to compare it with the kept one.
    given = re.sub(r"[^0-9a-f]", "", request.GET.get("sha256", "").lower())[:64]
    return render(
        request,
        "documents/verify.html",
        {
            "result": result,
            "code": code,
            "formatted": services.format_code(result.code) if result else "",
            "given_sha256": given,
            "hash_matches": bool(result and given and given == result.sha256),
        },
        status=200 if result else 404,
    )
