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


class ReferenceMultiPicker(ReferencePicker):
    """The same combobox choosing several items: each choice becomes a chip (its id in a
    hidden input of the field's name); Enter adds the highlighted item and keeps the
    focus for the next, a chip's × or Backspace on the empty input removes one."""

    template_name = "reference/widgets/multi_picker.html"
    allow_multiple_selected = True

    def get_context(self, name, value, attrs):
        from .pickers import PICKER_KINDS

        context = super().get_context(name, None, attrs)
        ids = [v for v in (value or []) if str(v).isdigit()]
        found = PICKER_KINDS[self.kind].model.objects.filter(pk__in=ids) if ids else []
        labels = {str(obj.pk): str(obj) for obj in found}
        context["widget"]["chosen"] = [
            {"id": str(v), "label": labels[str(v)]} for v in ids if str(v) in labels
        ]
        return context

    def format_value(self, value):
        if value is None:
            return []
        if not isinstance(value, (list, tuple)):
            value = [value]
        return [str(getattr(v, "pk", v)) for v in value if v not in (None, "")]

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False  # no chip posted means none chosen
