"""Public verification of printed notices and certificates (/verify/<code>/)."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from . import services


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    """Shown in the browser's viewer (to print), with a sensible name when saved."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
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
    return render(
        request,
        "documents/verify.html",
        {
            "result": result,
            "code": code,
            "formatted": services.format_code(result.code) if result else "",
        },
        status=200 if result else 404,
    )
