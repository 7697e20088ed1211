from urllib.parse import urlencode

from django import forms
from django.urls import reverse


class ReferencePicker(forms.Widget):
    """A keyboard-operable combobox over one reference list.

    The chosen item's id travels in a hidden input; the visible input filters
    the list as the user types digits, letters (English or pinyin) or Chinese.
    Arrow keys move, Enter chooses, Escape closes.
    """

    template_name = "reference/widgets/picker.html"

    class Media:
        js = ["reference/picker.js"]
        css = {"all": ["reference/picker.css"]}

    def __init__(self, kind: str, filters: tuple[str, ...] = (), attrs=None, params=None):
        super().__init__(attrs)
        self.kind = kind
        self.filters = filters
        # Valued filters the kind declares, e.g. {"within": "110000"} for regions.
        self.params = dict(params or {})

    def get_context(self, name, value, attrs):
        from .pickers import PICKER_KINDS

        context = super().get_context(name, value, attrs)
        label = ""
        if value not in (None, ""):
            try:
                obj = PICKER_KINDS[self.kind].model.objects.filter(pk=value).first()
            except (ValueError, TypeError):  # typed by hand into a query string
                obj = None
            label = str(obj) if obj else ""
        url = reverse("reference:search", args=[self.kind])
        query = [("filter", f) for f in self.filters] + list(self.params.items())
        if query:
            url += "?" + urlencode(query)
        context["widget"].update({"search_url": url, "label": label, "kind": self.kind})
        return context

    def value_from_datadict(self, data, files, name):
        return data.get(name) or None
