"""What the filer types for an audio-video import approval.  The rules (what is
required before submitting, totals) live in ``system.py`` and run in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from filings.selectors import authorities_accepting
from portal.forms import PortalFormMixin
from portal.reference.models import Carrier, Country, Currency, Module, Port
from portal.reference.widgets import ReferencePicker

from .models import AvGoodsLine, AvImportApplication

HEADER_FIELDS = ("approval_number", "authority", "entry_port", "contact_name", "contact_phone")


class HeaderForm(PortalFormMixin, forms.ModelForm):
    """Basic information (基本信息).  Saving a draft never needs every field: the page
    says what is still empty; submitting needs them all."""

    class Meta:
        model = AvImportApplication
        fields = list(HEADER_FIELDS)
        widgets = {
            "authority": ReferencePicker("authorities", filters=("av_import",)),
            "entry_port": ReferencePicker("ports"),
            "contact_phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }
        help_texts = {
            "approval_number": _("As printed on the approval; the approval document carries it."),
        }

    def __init__(self, *args, enterprise=None, params=None, **kwargs):
        instance = kwargs.get("instance")
        offices = authorities_accepting(system=Module.AV_IMPORT)
        if not (instance and instance.pk):
            initial = kwargs.setdefault("initial", {})
            if offices.count() == 1:  # one national office: chosen for the filer
                initial.setdefault("authority", offices.get().pk)
        super().__init__(*args, **kwargs)
        enterprise = enterprise or (instance.enterprise if instance and instance.pk else None)
        # Back-filled from the enterprise, grey, never typed (seed: 置灰字段为返填字段).
        for name, label, value in (
            ("importer_name", _("Importer"), getattr(enterprise, "name_zh", "")),
            ("importer_code", _("Importer code (USCC)"), getattr(enterprise, "uscc", "")),
        ):
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                disabled=True,
                initial=value,
                widget=forms.TextInput(attrs={"class": "backfilled", "readonly": True}),
            )
        self.order_fields(["approval_number", "importer_name", "importer_code", "authority"])
        self.fields["authority"].queryset = offices
        self.fields["entry_port"].queryset = Port.objects.live()
        for name, field in self.fields.items():
            # A draft saves with any of them empty (seed: 暂存); submitting needs them all.
            field.required_to_submit = name in HEADER_FIELDS
            field.required = False
        if instance and instance.pk and instance.status != "DRAFT":
            self.fields["authority"].disabled = True

    def clean_approval_number(self):
        return (self.cleaned_data.get("approval_number") or "").strip().upper() or None

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in HEADER_FIELDS}


LINE_FIELDS = (
    "title_zh",
    "title_original",
    "carrier",
    "language",
    "country",
    "copyright_holder",
    "quantity",
    "unit",
    "unit_price",
    "currency",
    "total",
)


class GoodsLineForm(PortalFormMixin, forms.ModelForm):
    """商品信息: every field required (the total is quantity × unit price)."""

    class Media:
        js = ["av_imports/line.js"]

    class Meta:
        model = AvGoodsLine
        fields = list(LINE_FIELDS)
        widgets = {
            "carrier": ReferencePicker("carriers"),
            "country": ReferencePicker("countries"),
            "currency": ReferencePicker("currencies"),
        }

    def __init__(self, *args, first_line=None, filing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = Carrier.objects.live()
        self.fields["country"].queryset = Country.objects.live()
        self.fields["currency"].queryset = Currency.objects.live()
        self.fields["total"].help_text = _("Quantity × unit price; filled in as you type.")

    def values(self) -> dict:
        return dict(self.cleaned_data)
