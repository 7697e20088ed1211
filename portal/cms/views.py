from django.core.paginator import Paginator
from django.shortcuts import render

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
