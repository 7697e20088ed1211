from django.core.paginator import Paginator
from django.shortcuts import render

from .models import GuidanceIndexPage, GuidancePage, HelpPage, HomePage, PortListPage

SEARCHABLE_PAGES = (GuidancePage, HelpPage, GuidanceIndexPage, PortListPage, HomePage)


def search(request):
    """Site search over every public page type's own text fields."""
    query = request.GET.get("q", "").strip()[:100]
    results = []
    if query:
        for model in SEARCHABLE_PAGES:
            results.extend(model.objects.live().public().search(query))
    page = Paginator(results, 10).get_page(request.GET.get("page"))
    return render(request, "cms/search.html", {"query": query, "results": page})
