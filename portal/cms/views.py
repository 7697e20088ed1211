from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.accounts.views import enterprise_required
from portal.forms import PortalFormMixin
from portal.pagination import paginate
from portal.reference.models import Module

from . import selectors, services
from .models import GuidanceIndexPage, GuidancePage, HelpPage, HomePage, PortListPage

SEARCHABLE_PAGES = (GuidancePage, HelpPage, GuidanceIndexPage, PortListPage, HomePage)


class ChainedResults:
    """Several page types' search results as one sequence for the paginator.

    Each type's results are counted and sliced in the database: a page of ten
    loads ten pages, not every hit.
    """

    def __init__(self, parts):
        self.parts = list(parts)
        self._counts = None

    def counts(self) -> list[int]:
        if self._counts is None:
            self._counts = [part.count() for part in self.parts]
        return self._counts

    def count(self) -> int:
        return sum(self.counts())

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        items, offset = [], 0
        for part, size in zip(self.parts, self.counts(), strict=True):
            low, high = max(start - offset, 0), min(stop - offset, size)
            if low < high:
                items.extend(part[low:high])
            offset += size
            if offset >= stop:
                break
        return items


def search(request):
    """Site search over every public page type's own text fields, paged in the database."""
    query = request.GET.get("q", "").strip()[:100]
    results = []
    if query:
        results = ChainedResults(
            model.objects.live().public().search(query) for model in SEARCHABLE_PAGES
        )
    page = Paginator(results, 10).get_page(request.GET.get("page"))
    return render(request, "cms/search.html", {"query": query, "results": page})


class FeedbackForm(PortalFormMixin, forms.Form):
    module = forms.ChoiceField(
        label=_("About"), required=False, choices=[("", _("General")), *Module.choices]
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=pgettext_lazy("feedback", "Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


@enterprise_required()
def feedback(request):
    """咨询与反馈: send a question to the editors; the enterprise's earlier ones and answers."""
    form = FeedbackForm(request.POST or None, initial={"module": request.GET.get("module", "")})
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_feedback(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages_)
        else:
            messages.success(request, _("Sent. The answer will appear below and by e-mail."))
            return redirect("feedback")
    page, problem = paginate(
        request,
        selectors.feedback_for_enterprise(request.user),
        ("-created_at", "-id"),
        per_page=20,
    )
    if problem:
        messages.warning(request, problem)
    return render(request, "cms/feedback.html", {"form": form, "page": page})
