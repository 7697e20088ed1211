"""What the filer types: the pre-check, the application (fields 1-24) and its goods lines.
The rules live in ``system.py`` and run in the services."""

from datetime import MAXYEAR, MINYEAR

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from filings.selectors import authorities_accepting
from portal.accounts.validators import validate_phone
from portal.forms import PortalFormMixin
from portal.reference.models import (
    Authority,
    AuthorityKind,
    Country,
    Currency,
    HSCode,
    Module,
    Port,
    Purpose,
    TradeMode,
)
from portal.reference.widgets import ReferencePicker

from .models import (
    AutoLicenceApplication,
    AutoLicenceLine,
    AutoLicenceStatus,
    ContractInfo,
    IronOreContract,
    IronOreRow,
    KeyAgriculturalFiling,
    validity_end,
)

PRECHECK_FIELDS = (
    "year",
    "one_batch",
    "hs_code_1",
    "hs_code_2",
    "hs_code_3",
    "hs_code_4",
    "port_1",
    "port_2",
)
ENTRY_FIELDS = (
    "authority",
    "handler",
    "import_user_name",
    "import_user_code",
    "importer_name",
    "importer_code",
    "trade_mode",
    "trade_country",
    "currency_source",
    "origin_country",
    "purpose",
    "expected_arrival",
    "price_currency",
    "remarks",
)
# Defaults the seed names (贸易方式, 外汇来源, 商品用途, 单价币别); the filer may change them.
DEFAULTS = {"trade_mode": "0110", "purpose": "OWN_USE", "price_currency": "CNY"}
TOOLTIPS = {
    "handler": _("The person at the applicant who handles this application."),
    "import_user_name": _("The unit that will use the goods; your enterprise unless another."),
    "importer_name": _("The unit that signs the import contract; your enterprise unless another."),
    "trade_country": _("The country or region of the seller, not of origin."),
    "origin_country": _("Where the goods were produced."),
    "expected_arrival": _("When the goods are expected at the declaration port."),
}


def _pickers():
    return {
        "hs_code_1": ReferencePicker("hs-codes"),
        "hs_code_2": ReferencePicker("hs-codes"),
        "hs_code_3": ReferencePicker("hs-codes"),
        "hs_code_4": ReferencePicker("hs-codes"),
        "port_1": ReferencePicker("ports"),
        "port_2": ReferencePicker("ports"),
    }


class PrecheckForm(PortalFormMixin, forms.ModelForm):
    """申请页面: what the bureau needs to say whether an electronic licence can be issued."""

    class Meta:
        model = AutoLicenceApplication
        fields = list(PRECHECK_FIELDS)
        widgets = {
            **_pickers(),
            "one_batch": forms.RadioSelect(choices=[(True, _("Yes")), (False, _("No"))]),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"] = forms.TypedChoiceField(
            label=_("Year"),
            coerce=int,
            choices=[(y, y) for y in (this_year, this_year + 1)],
            initial=this_year,
        )
        self.fields["one_batch"] = forms.TypedChoiceField(
            label=_("One batch, one licence"),
            coerce=lambda v: v in (True, "True", "true", "1"),
            choices=[("True", _("Yes")), ("False", _("No"))],
            widget=forms.RadioSelect,
            initial="True",
        )
        for name in ("hs_code_1", "hs_code_2", "hs_code_3", "hs_code_4"):
            self.fields[name].queryset = HSCode.objects.live()
        for name in ("port_1", "port_2"):
            self.fields[name].queryset = Port.objects.live()
        self.fields["hs_code_1"].required = self.fields["port_1"].required = True

    def problems(self) -> list[str]:
        """The bureau's answer to the checked goods and ports (empty: eligible), in the
        active language."""
        from .system import precheck_problems  # system.py declares with these forms

        data = self.cleaned_data
        codes = [data.get(f"hs_code_{n}") for n in range(1, 5)]
        return precheck_problems(codes, ports=(data.get("port_1"), data.get("port_2")))

    def query(self) -> dict:
        """The checked answers, as the entry page's query string carries them."""
        data = self.cleaned_data
        values = {"year": data["year"], "one_batch": "1" if data["one_batch"] else "0"}
        for name in PRECHECK_FIELDS[2:]:
            if data.get(name):
                values[name] = data[name].code
        return values


class HeaderForm(PortalFormMixin, forms.ModelForm):
    """The application (申请表).  The pre-check's answers are shown, fixed; the enterprise's
    blocks are filled from its profile; saving a draft never needs every field."""

    class Meta:
        model = AutoLicenceApplication
        fields = [*PRECHECK_FIELDS, *ENTRY_FIELDS]
        widgets = {
            **_pickers(),
            "authority": ReferencePicker("authorities", filters=("auto_import_licence",)),
            "trade_mode": ReferencePicker("trade-modes"),
            "trade_country": ReferencePicker("countries"),
            "origin_country": ReferencePicker("countries"),
            "purpose": ReferencePicker("purposes", filters=("auto_import_licence",)),
            "price_currency": ReferencePicker("currencies"),
            "expected_arrival": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "remarks": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = TOOLTIPS

    def __init__(self, *args, enterprise=None, params=None, **kwargs):
        instance = kwargs.get("instance")
        creating = not (instance and instance.pk)
        bureaus = authorities_accepting(system=Module.AUTO_IMPORT_LICENCE)
        if creating:
            initial = kwargs.setdefault("initial", {})
            initial.update(self._from_precheck(params or {}))
            if bureaus.count() == 1:
                initial.setdefault("authority", bureaus.get().pk)
            for name, code in DEFAULTS.items():
                model = self.Meta.model._meta.get_field(name).related_model
                found = model.objects.filter(code=code).values_list("pk", flat=True).first()
                initial.setdefault(name, found)
        super().__init__(*args, **kwargs)
        self.params = self._from_precheck(params or {}) if creating else {}
        for name in PRECHECK_FIELDS:
            field = self.fields[name]
            field.disabled, field.required = True, False
            if creating:
                field.initial = self.params.get(name)
            shown = self.params.get(name) if creating else getattr(instance, name)
            if name in ("hs_code_2", "hs_code_3", "hs_code_4", "port_2") and not shown:
                del self.fields[name]  # not given at the pre-check: nothing to show
        year = self.params.get("year") if creating else instance.year
        if year:
            # Field 4, generated: six months from issue, within the licence's year.
            self.fields["validity_end"] = forms.DateField(
                label=_("Validity end (expected; fixed at issue)"),
                required=False,
                disabled=True,
                initial=validity_end(issued=timezone.localdate(), year=year),
                widget=forms.DateInput(
                    format="%Y-%m-%d", attrs={"type": "date", "class": "backfilled"}
                ),
            )
            self.order_fields([n for n in PRECHECK_FIELDS if n in self.fields] + ["validity_end"])
        self.fields["authority"].queryset = bureaus
        self.fields["trade_mode"].queryset = TradeMode.objects.live()
        self.fields["trade_country"].queryset = Country.objects.live()
        self.fields["origin_country"].queryset = Country.objects.live()
        self.fields["purpose"].queryset = Purpose.objects.live().filter(
            module=Module.AUTO_IMPORT_LICENCE
        )
        self.fields["price_currency"].queryset = Currency.objects.live()
        for name in ENTRY_FIELDS:
            field = self.fields[name]
            field.required_to_submit = name not in ("remarks",)
            field.required = False
        if instance and instance.pk and instance.status != AutoLicenceStatus.DRAFT:
            self.fields["authority"].disabled = True

    @staticmethod
    def _from_precheck(params) -> dict:
        """The pre-check's answers from the query string (codes, as the page carries them)."""
        values = {}
        try:
            year = int(params.get("year", ""))
        except ValueError:
            pass
        else:
            # A year no calendar has (the query string or the API can carry any number)
            # is no year: the form asks for one, never a ValueError in date(year, ...).
            if MINYEAR <= year <= MAXYEAR:
                values["year"] = year
        values["one_batch"] = params.get("one_batch", "1") != "0"
        codes = {n: params.get(n) for n in PRECHECK_FIELDS[2:6] if params.get(n)}
        found = {c.code: c for c in HSCode.objects.filter(code__in=codes.values())}
        for name, code in codes.items():
            values[name] = found.get(code)
        ports = {n: params.get(n) for n in ("port_1", "port_2") if params.get(n)}
        found = {p.code: p for p in Port.objects.filter(code__in=ports.values())}
        for name, code in ports.items():
            values[name] = found.get(code)
        return values

    def values(self) -> dict:
        values = {k: v for k, v in self.cleaned_data.items() if k in ENTRY_FIELDS}
        if not values.get("currency_source"):  # left empty: the default (银行购汇) stands
            values.pop("currency_source", None)
        return {**self.params, **values}


class GoodsLineForm(PortalFormMixin, forms.ModelForm):
    """One specification line: which of the pre-checked goods, and its quantity and price."""

    class Meta:
        model = AutoLicenceLine
        fields = ["hs_code", "specification", "unit", "quantity", "unit_price", "total"]

    def __init__(self, *args, first_line=None, filing=None, **kwargs):
        super().__init__(*args, **kwargs)
        filing = filing or getattr(self.instance, "application", None)
        codes = HSCode.objects.filter(pk__in=filing.hs_code_ids) if filing else HSCode.objects
        self.fields["hs_code"].queryset = codes.order_by("code")
        self.fields["total"].help_text = _("Quantity × unit price, in the price currency.")

    def values(self) -> dict:
        return dict(self.cleaned_data)


def _dates(*names):
    return {n: forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}) for n in names}


class ContractForm(PortalFormMixin, forms.ModelForm):
    """合同信息表, in the seed's four blocks."""

    BLOCKS = (
        (_("Applicant"), None),
        (_("Foreign contract or agreement"), "contract_number"),
        (_("Domestic trade (agency) contract or agreement"), "principal_name"),
        (_("Other information"), "end_user_name"),
    )

    class Meta:
        model = ContractInfo
        fields = [
            f.name
            for f in ContractInfo._meta.fields
            if f.editable and f.name not in ("id", "application", "updated_at")
        ]
        widgets = {
            **_dates(
                "established_on",
                "signed_on",
                "contract_valid_until",
                "departure_date",
                "arrival_date",
                "agency_signed_on",
                "agency_valid_until",
            ),
            "settlement_currency": ReferencePicker("currencies"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["settlement_currency"].queryset = Currency.objects.live()

    def blocks(self):
        """The fields in the seed's blocks, for the page."""
        starts = {start: title for title, start in self.BLOCKS if start}
        block, title = [], self.BLOCKS[0][0]
        for bound in self:
            if bound.name in starts:
                yield title, block
                block, title = [], starts[bound.name]
            block.append(bound)
        yield title, block


class IronOreForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = IronOreContract
        fields = [
            f.name
            for f in IronOreContract._meta.fields
            if f.editable and f.name not in ("id", "application", "updated_at")
        ]
        widgets = {
            **_dates("signed_on", "period_from", "period_to"),
            "origin": ReferencePicker("countries"),
            "trade_country": ReferencePicker("countries"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origin"].queryset = Country.objects.live()
        self.fields["trade_country"].queryset = Country.objects.live()


class IronOreRowForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = IronOreRow
        fields = ["kind", "name", "grade", "quantity_kt", "unit_price", "amount"]


IronOreRows = forms.inlineformset_factory(
    IronOreContract, IronOreRow, form=IronOreRowForm, extra=3, can_delete=True
)


class KeyAgriculturalForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = KeyAgriculturalFiling
        fields = [
            "enterprise_name",
            "customs_number",
            "business_number",
            "registered_capital",
            "business_address",
            "contact",
            "phone",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Shown with the other problems at once; the service checks it again.
        self.fields["phone"].validators.append(validate_phone)


class StatisticsForm(PortalFormMixin, forms.Form):
    """The statistics' filters: year, month (this month by default), an HS code prefix."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(
        label=_("Month"), coerce=int, choices=[(m, m) for m in range(1, 13)]
    )
    hs_code = forms.RegexField(
        label=_("HS code (or its first digits)"),
        regex=r"^\d{2,10}$",
        required=False,
        error_messages={"invalid": _("Enter 2 to 10 digits of an HS code.")},
    )
    authority = forms.ModelChoiceField(
        label=_("Issuing bureau"),
        queryset=Authority.objects.filter(kind=AuthorityKind.LICENCE_BUREAU).order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("All"),
    )
    trade_mode = forms.ModelChoiceField(
        label=pgettext_lazy("licence field 7", "Trade mode"),
        queryset=TradeMode.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("All"),
    )
    # A picker, not a select of every country: a filter page renders in milliseconds.
    trade_country = forms.ModelChoiceField(
        label=_("Trading country or region"),
        queryset=Country.objects.live(),
        required=False,
        widget=ReferencePicker("countries"),
    )

    def __init__(self, data=None, **kwargs):
        today = timezone.localdate()
        defaults = {"year": today.year, "month": today.month, "hs_code": ""}
        given = data.dict() if hasattr(data, "dict") else dict(data or {})
        super().__init__({**defaults, **given}, **kwargs)

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in ("year", "month", "hs_code", "authority", "trade_mode", "trade_country")
        }
