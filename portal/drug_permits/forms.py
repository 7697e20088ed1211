from django import forms
from django.utils.translation import gettext_lazy as _

from documents.models import CollectionMethod, Direction, DrugPermitApplication, DrugPermitGoodsLine
from documents.models import DrugPermitStatus as S
from portal.accounts.validators import normalize_uscc, validate_uscc
from portal.forms import PortalFormMixin
from portal.reference.models import Country, DosageForm, HSCode, Port, Purpose
from portal.reference.widgets import ReferencePicker
from workflows.drug_permit import HEADER_FIELDS
from workflows.selectors import authorities_accepting

AGENT_NEEDS_USCC = _("Filing as an agent needs the principal's USCC.")
AGENT_NEEDS_NAME = _("Filing as an agent needs the principal's name.")


class HeaderForm(PortalFormMixin, forms.ModelForm):
    class Media:
        js = ["drug_permits/header.js"]

    class Meta:
        model = DrugPermitApplication
        # The direction is chosen by the page, not the form.
        fields = [name for name in HEADER_FIELDS if name != "direction"]
        widgets = {
            "authority": ReferencePicker("authorities", filters=("drug_permit",)),
            "purpose": ReferencePicker("purposes", filters=("drug_permit",)),
            "import_port_1": ReferencePicker("ports", filters=("designated",)),
            "import_port_2": ReferencePicker("ports", filters=("designated",)),
            "collection_method": forms.RadioSelect,
            "remarks": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, direction: str, status: str = S.DRAFT, **kwargs):
        super().__init__(*args, **kwargs)
        if direction == Direction.IMPORT:
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
                [
                    *self.Meta.fields[:10],
                    "customs_district_1",
                    "import_port_2",
                    "customs_district_2",
                ]
            )
        self.direction = direction
        self.fields["authority"].queryset = authorities_accepting(module="DRUG_PERMIT")
        self.fields["purpose"].queryset = Purpose.objects.live().filter(module="DRUG_PERMIT")
        designated = Port.objects.live().filter(is_designated_drug_port=True)
        for name in ("import_port_1", "import_port_2"):
            self.fields[name].queryset = designated
        self.fields["collection_method"].choices = CollectionMethod.choices
        if direction == Direction.IMPORT:
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

    def clean(self):
        data = super().clean()
        if data.get("is_agent"):
            uscc = normalize_uscc(data.get("principal_uscc", ""))
            if not uscc:
                self.add_error(
                    "principal_uscc", _("Filing as an agent needs the principal's USCC.")
                )
            else:
                try:
                    validate_uscc(uscc)
                    data["principal_uscc"] = uscc
                except forms.ValidationError as error:
                    self.add_error("principal_uscc", error)
            if not data.get("principal_name"):
                self.add_error(
                    "principal_name", _("Filing as an agent needs the principal's name.")
                )
        else:
            data["principal_uscc"] = data["principal_name"] = ""
        if data.get("collection_method") == CollectionMethod.MAIL and not data.get("mail_address"):
            self.add_error("mail_address", _("Collection by mail needs a mailing address."))
        ports = [data.get("import_port_1"), data.get("import_port_2")]
        if ports[0] and ports[0] == ports[1]:
            self.add_error("import_port_2", _("Port 2 must differ from port 1."))
        return data


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

    def __init__(self, *args, first_line: DrugPermitGoodsLine | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hs_code"].queryset = HSCode.objects.live()
        self.fields["dosage_form"].queryset = DosageForm.objects.live()
        self.fields["country"].queryset = Country.objects.live()
        self.fields["quantity"].min_value = 0
        if first_line is not None:
            # After the first line the drug is fixed: grey, and taken from line 1.
            for name in DrugPermitGoodsLine.LOCKED_AFTER_FIRST:
                self.fields[name].disabled = True
                self.fields[name].initial = getattr(first_line, name + "_id", None) or getattr(
                    first_line, name
                )

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity is not None and quantity <= 0:
            raise forms.ValidationError(_("The quantity must be more than zero."))
        return quantity


class AttachmentForm(PortalFormMixin, forms.Form):
    file = forms.FileField(label=_("PDF file"))
