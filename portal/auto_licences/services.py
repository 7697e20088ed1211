"""The licence's own tables (合同信息表, 铁矿石合同信息表): saved by the filer of a
draft, validated here whichever path they come by; submit requires them (``system.py``)."""

from decimal import ROUND_HALF_UP

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from filings.transitions import is_filer
from portal.accounts.validators import validate_phone
from portal.transactions import top_level

from .models import MONEY, ContractInfo, IronOreContract, IronOreRow

BLOCK = (
    "enterprise_code",
    "enterprise_name",
    "established_on",
    "registered_capital",
    "uscc",
    "address",
    "contact",
    "contact_phone",
    "contact_mobile",
    "contact_email",
    "fax",
    "postcode",
    "trade_registration_number",
    "fie_approval_number",
    "business_licence_number",
)


def _require(filing, actor) -> None:
    if not is_filer(filing, actor):
        raise PermissionDenied
    if not filing.is_editable:
        raise ValidationError(_("Only drafts and applications returned for supplement can change."))


def _changed(filing, actor) -> None:
    filing.save(update_fields=["updated_at"])
    filing.save_revision(user=actor, clean=False)


def copy_tables(source, copy) -> None:
    """复制 takes the source's contract and iron-ore tables (with their rows) along."""
    contract = ContractInfo.objects.filter(application=source).first()
    if contract is not None:
        contract.pk, contract.application = None, copy
        contract.save()
    ore = IronOreContract.objects.filter(application=source).first()
    if ore is not None:
        rows = list(ore.rows.all())
        ore.pk, ore.application = None, copy
        ore.save()
        for row in rows:
            row.pk, row.contract = None, ore
        IronOreRow.objects.bulk_create(rows)


def needs_iron_ore(filing) -> bool:
    """Any of the goods (pre-checked or on a line) is iron ore (an HS-code flag editors keep)."""
    if any(code.is_iron_ore for code in filing.hs_codes):
        return True
    return filing.goods_lines.filter(hs_code__is_iron_ore=True).exists()


def contract_initial(filing) -> dict:
    """The applicant block from the enterprise's previous table, else from its profile."""
    previous = (
        ContractInfo.objects.filter(application__enterprise_id=filing.enterprise_id)
        .exclude(application=filing)
        .order_by("-updated_at")
        .first()
    )
    if previous is not None:
        return {name: getattr(previous, name) for name in BLOCK}
    enterprise = filing.enterprise
    return {
        "enterprise_code": enterprise.uscc[8:17],
        "enterprise_name": enterprise.name_zh,
        "uscc": enterprise.uscc,
        "address": enterprise.address,
        "contact": enterprise.contact_name,
        "contact_phone": enterprise.contact_phone,
        "contact_email": enterprise.contact_email,
        "trade_registration_number": enterprise.trade_registration_number,
    }


def iron_ore_initial(filing) -> dict:
    """What an unsaved iron-ore table starts from: the application's year, importer and
    countries."""
    return {
        "year": filing.year,
        "importer_code": filing.importer_code or filing.enterprise.uscc,
        "importer_name": filing.importer_name or filing.enterprise.name_zh,
        "origin": filing.origin_country_id,
        "trade_country": filing.trade_country_id,
    }


def key_agricultural_initial(enterprise) -> dict:
    """What an enterprise's first key agricultural filing starts from: its profile."""
    return {
        "enterprise_name": enterprise.name_zh,
        "business_address": enterprise.address,
        "contact": enterprise.contact_name,
        "phone": enterprise.contact_phone,
    }


@top_level
def save_contract(*, filing, actor, values: dict) -> ContractInfo:
    _require(filing, actor)
    contract = ContractInfo.objects.filter(application=filing).first() or ContractInfo(
        application=filing
    )
    for name, value in values.items():
        setattr(contract, name, value)
    contract.full_clean()
    errors = {}
    if contract.contract_valid_until < contract.signed_on:
        errors["contract_valid_until"] = _("The contract cannot end before it was signed.")
    if contract.agency_signed_on and contract.agency_valid_until:
        if contract.agency_valid_until < contract.agency_signed_on:
            errors["agency_valid_until"] = _("The contract cannot end before it was signed.")
    if errors:
        raise ValidationError(errors)
    contract.save()
    _changed(filing, actor)
    return contract


@top_level
def save_iron_ore(*, filing, actor, values: dict, rows: list[dict]) -> IronOreContract:
    """The iron-ore table with its goods rows (all replaced); every row's amount is its
    quantity × unit price."""
    _require(filing, actor)
    table = IronOreContract.objects.filter(application=filing).first() or IronOreContract(
        application=filing
    )
    for name, value in values.items():
        setattr(table, name, value)
    table.full_clean()
    errors = {}
    if table.period_to < table.period_from:
        errors["period_to"] = _("The contract period cannot end before it begins.")
    if not rows:
        errors["__all__"] = [_("Add at least one goods row (kind, name, grade, quantity…).")]
    elif errors.get("__all__") is None:
        errors.pop("__all__", None)
    made = []
    # A row's problem is keyed "rows.<index>.<field>" (its place in ``rows``), so a page
    # marks the very field; the message names the row for every other reader.
    for index, row in enumerate(rows):
        number = index + 1
        item = IronOreRow(**row)
        try:
            item.full_clean(exclude=["contract"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(f"rows.{index}.{field}", []).extend(
                    _("Row %(n)s, %(field)s: %(message)s")
                    % {
                        "n": number,
                        "field": IronOreRow._meta.get_field(field).verbose_name,
                        "message": message,
                    }
                    for message in messages
                )
            continue
        expected = (item.quantity_kt * item.unit_price).quantize(MONEY, rounding=ROUND_HALF_UP)
        if item.amount != expected:
            # Lazy, with its values: every reader (a page, the API's two languages)
            # renders it in its own language.
            errors.setdefault(f"rows.{index}.amount", []).append(
                ValidationError(
                    gettext_lazy(
                        "Row %(n)s: the amount must be the quantity × the unit price (%(v)s)."
                    ),
                    params={"n": number, "v": expected},
                )
            )
        made.append(item)
    if errors:
        raise ValidationError(errors)
    table.save()
    table.rows.all().delete()
    for item in made:
        item.contract = table
    IronOreRow.objects.bulk_create(made)
    _changed(filing, actor)
    return table


def key_agricultural_code(enterprise) -> str:
    """企业代码 as the seed shows it: four-digit region code and nine-digit organisation code."""
    return f"{enterprise.uscc[2:6]}{enterprise.uscc[8:17]}"


@top_level
def report_key_agricultural(*, membership, actor, values: dict):
    """保存并上报: every field required; the enterprise code is taken, never typed."""
    from .models import KeyAgriculturalFiling

    enterprise = membership.enterprise
    filing = KeyAgriculturalFiling.objects.filter(enterprise=enterprise).first()
    filing = filing or KeyAgriculturalFiling(enterprise=enterprise)
    for name, value in values.items():
        setattr(filing, name, value)
    filing.enterprise_code = key_agricultural_code(enterprise)
    filing.reported_by = actor
    filing.status = KeyAgriculturalFiling.Status.REPORTED
    filing.full_clean()
    try:
        validate_phone(filing.phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from None
    filing.save()
    return filing
