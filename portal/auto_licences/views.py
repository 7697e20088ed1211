"""The pre-check (申请页面): the one page of this system the shared mechanism has no
equivalent for.  It asks the bureau's rules and answers in a dialog."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse

from workflows.views import system_module

from .forms import PrecheckForm
from .system import precheck_problems


@system_module
def precheck(request, *, system):
    form = PrecheckForm(request.POST or None)
    answer = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        codes = [data.get(f"hs_code_{n}") for n in range(1, 5)]
        problems = precheck_problems(codes, ports=(data.get("port_1"), data.get("port_2")))
        answer = {
            "eligible": not problems,
            "problems": problems,
            "next": f"{reverse(f'{system.url_namespace}:create')}?{urlencode(form.query())}",
        }
    return render(
        request,
        "auto_licences/precheck.html",
        {"system": system, "ns": system.url_namespace, "form": form, "answer": answer},
    )
