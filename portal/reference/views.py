from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from .pickers import PICKER_KINDS, search_reference


@require_GET
def search(request, kind: str):
    """JSON options for the picker; reference data is public, like the port list."""
    picker_kind = PICKER_KINDS.get(kind)
    if picker_kind is None:
        raise Http404
    params = {name: request.GET[name][:100] for name in picker_kind.params if name in request.GET}
    results = search_reference(
        picker_kind, request.GET.get("q", "")[:100], request.GET.getlist("filter"), params
    )
    return JsonResponse({"results": [picker_kind.option(obj) for obj in results]})
