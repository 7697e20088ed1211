"""What the manufacturer types for one drug's archive record.  The rules (what submitting
needs, the approval number's form, one record per approval number) live in ``system.py``
and run in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import PortalFormMixin
from portal.reference.models import Country, DosageForm, HSCode
from portal.reference.widgets import ReferenceMultiPicker, ReferencePicker

from .models import ExportDrugArchive

HEADER_FIELDS = (
    "generic_name_zh",
    "generic_name_en",
    "trade_name_zh",
    "trade_name_en",
    "approval_number",
    "dosage_form",
    "specification",
    "packaging",
    "mah_name",
    "manufacturer_name",
    "production_address",
    "hs_code",
    "export_countries",
    "remarks",
)
# Submitting needs every field but the trade names and the remarks.
REQUIRED_TO_SUBMIT = set(HEADER_FIELDS) - {"trade_name_zh", "trade_name_en", "remarks"}


class ArchiveForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = ExportDrugArchive
        fields = list(HEADER_FIELDS)
        widgets = {
            "dosage_form": ReferencePicker("dosage-forms"),
            "hs_code": ReferencePicker("hs-codes"),
            "export_countries": ReferenceMultiPicker("countries"),
            "remarks": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "approval_number": _(
                "As on the drug registration certificate, e.g. 国药准字H20260001."
            ),
            "export_countries": _(
                "Type a code or name and press Enter to add a country; add as many as needed."
            ),
            "hs_code": _("A pharmaceutical code, chapter 29 or 30."),
        }

    def __init__(self, *args, enterprise=None, params=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dosage_form"].queryset = DosageForm.objects.live()
        self.fields["hs_code"].queryset = HSCode.objects.live()
        self.fields["export_countries"].queryset = Country.objects.live().order_by("code")
        for name, field in self.fields.items():
            # A draft saves with any field empty; submitting needs the starred ones.
            field.required_to_submit = name in REQUIRED_TO_SUBMIT
            field.required = False

    def clean_approval_number(self):
        return (self.cleaned_data.get("approval_number") or "").strip().replace(" ", "")

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in HEADER_FIELDS}
