"""The drug permit's forms: what the filer types.  The rules live in ``rules.py`` and
are run by the services, so the messages below come back from there."""

from django import forms
from django.utils.translation import gettext_lazy as _

from filings.selectors import authorities_accepting
from portal.accounts.validators import normalize_uscc
from portal.forms import PortalFormMixin
from portal.reference.models import Country, DosageForm, HSCode, Module, Port, Purpose
from portal.reference.widgets import ReferencePicker

from .models import CollectionMethod, Direction, DrugPermitApplication, DrugPermitGoodsLine
from .models import DrugPermitStatus as S

HEADER_FIELDS = (
    "authority",
    "applicant_name_en",
    "applicant_address_en",
    "is_agent",
    "principal_uscc",
    "principal_name",
    "purpose",
    "collection_method",
    "mail_address",
    "import_port_1",
    "import_port_2",
    "export_port_1",
    "export_port_2",
    "remarks",
)


class HeaderForm(PortalFormMixin, forms.ModelForm):
    class Media:
        js = ["drug_permits/header.js"]

    class Meta:
        model = DrugPermitApplication
        fields = list(HEADER_FIELDS)
        widgets = {
            "authority": ReferencePicker("authorities", filters=("drug_permit",)),
            "purpose": ReferencePicker("purposes", filters=("drug_permit",)),
            "import_port_1": ReferencePicker("ports", filters=("designated",)),
            "import_port_2": ReferencePicker("ports", filters=("designated",)),
            "collection_method": forms.RadioSelect,
            "remarks": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            # Seed 001 §4.1.2, 备注.
            "remarks": _(
                "If the drugs are controlled drugs, or the goods are exported drugs being "
                "returned, say so here."
            ),
        }

    def __init__(self, *args, enterprise=None, params=None, **kwargs):
        instance = kwargs.get("instance")
        # The direction is chosen by the page (?direction=), never typed.
        self.direction = (
            instance.direction if instance and instance.pk else (params or {}).get("direction")
        )
        if self.direction not in Direction.values:
            self.direction = Direction.IMPORT
        super().__init__(*args, **kwargs)
        status = instance.status if instance and instance.pk else S.DRAFT
        if self.direction == Direction.IMPORT:
            # Shown, never entered: filled from the chosen port (drug_permits/header.js).
            for n in (1, 2):
                port = getattr(self.instance, f"import_port_{n}", None)
                if self.is_bound:
                    chosen = self.data.get(f"import_port_{n}")
                    port = Port.objects.filter(pk=chosen).first() if chosen else None
                self.fields[f"customs_district_{n}"] = forms.CharField(
                    label=_("Customs district %(n)s") % {"n": n},
                    required=False,
                    disabled=True,
                    initial=str(port.customs_district) if port else "",
                    widget=forms.TextInput(attrs={"data-district-for": f"id_import_port_{n}"}),
                )
            self.order_fields(
                [*HEADER_FIELDS[:10], "customs_district_1", "import_port_2", "customs_district_2"]
            )
        self.fields["authority"].queryset = authorities_accepting(system=Module.DRUG_PERMIT)
        self.fields["purpose"].queryset = Purpose.objects.live().filter(module=Module.DRUG_PERMIT)
        designated = Port.objects.live().filter(is_designated_drug_port=True)
        for name in ("import_port_1", "import_port_2"):
            self.fields[name].queryset = designated
        self.fields["collection_method"].choices = CollectionMethod.choices
        if self.direction == Direction.IMPORT:
            del self.fields["export_port_1"], self.fields["export_port_2"]
            self.fields["import_port_1"].required = True
        else:
            del self.fields["import_port_1"], self.fields["import_port_2"]
            self.fields["export_port_1"].required = True
            self.fields["export_port_1"].help_text = _(
                "Standard city names as the drug administration's notice lists them."
            )
        if status != S.DRAFT:
            self.fields["authority"].disabled = True

    def clean_principal_uscc(self):
        return normalize_uscc(self.cleaned_data.get("principal_uscc", ""))

    def values(self) -> dict:
        """What the services receive: the typed values, and the direction of the page."""
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("customs_district")}
        if not data.get("is_agent"):
            data["principal_uscc"] = data["principal_name"] = ""
        return {**data, "direction": self.direction}


class GoodsLineForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = DrugPermitGoodsLine
        fields = [
            "hs_code",
            "drug_name_zh",
            "drug_name_en",
            "dosage_form",
            "specification",
            "quantity",
            "unit",
            "manufacturer",
            "country",
        ]
        widgets = {
            "hs_code": ReferencePicker("hs-codes"),
            "dosage_form": ReferencePicker("dosage-forms"),
            "country": ReferencePicker("countries"),
        }

    def __init__(self, *args, first_line=None, filing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hs_code"].queryset = HSCode.objects.live()
        self.fields["dosage_form"].queryset = DosageForm.objects.live()
        self.fields["country"].queryset = Country.objects.live()
        if first_line is not None:
            # After the first line the drug is fixed: grey, and taken from line 1.
            for name in LOCKED_AFTER_FIRST:
                self.fields[name].disabled = True
                self.fields[name].initial = getattr(first_line, name + "_id", None) or getattr(
                    first_line, name
                )

    def values(self) -> dict:
        return dict(self.cleaned_data)


LOCKED_AFTER_FIRST = ("hs_code", "drug_name_zh", "drug_name_en", "dosage_form")
