"""Public verification of printed notices and certificates (/verify/<code>/)."""

import re

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from portal import files

from . import services


def pdf_response(data, filename: str):
    """Shown in the browser's viewer (to print), with a sensible name when saved (bytes,
    or an open file of kept bytes, streamed)."""
    name = files.display_name(filename, limit=100)
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return files.download(data, name, content_type="application/pdf", inline=True)


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
    raw = request.GET.get("sha256", "")
    given = re.sub(r"[\s:-]", "", raw.lower())[:200]
    well_formed = bool(re.fullmatch(r"[0-9a-f]{64}", given))
    return render(
        request,
        "documents/verify.html",
        {
            "result": result,
            "code": code,
            "formatted": services.format_code(result.code) if result else "",
            "given_sha256": given,
            "hash_malformed": bool(given) and not well_formed,
            "hash_matches": bool(result and well_formed and given == result.sha256),
        },
        status=200 if result else 404,
    )
