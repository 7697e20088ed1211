"""Load the seed reference lists in data/*.csv: idempotent upserts by code.

A second run changes nothing: rows are compared field by field and only new
or different ones are written.  Loaded rows are live (published) at once;
later edits by editors go through moderation.
"""

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from portal.transactions import top_level

from . import models as m

DATA_DIR = Path(__file__).resolve().parent / "data"


def _flag(value: str) -> bool:
    return value.strip() == "1"


def _decimal(value: str):
    return Decimal(value.strip()) if value.strip() else None


@dataclass(frozen=True)
class Source:
    filename: str
    model: type
    key: str
    # csv column -> (model field, converter)
    columns: dict


SOURCES = [
    Source(
        "authorities.csv",
        m.Authority,
        "code",
        {
            "code": ("code", str),
            "kind": ("kind", str),
            "name_zh": ("name_zh", str),
            "name_en": ("name_en", str),
            "province_code": ("province", str),
            "phone": ("phone", str),
            "address": ("address", str),
        },
    ),
    Source("customs_districts.csv", m.CustomsDistrict, "code", {}),
    Source(
        "ports.csv",
        m.Port,
        "code",
        {
            "customs_district_code": ("customs_district", m.CustomsDistrict),
            "is_designated_drug_port": ("is_designated_drug_port", _flag),
        },
    ),
    Source(
        "hs_codes.csv",
        m.HSCode,
        "code",
        {
            "unit": ("unit", str),
            "is_iron_ore": ("is_iron_ore", _flag),
            "is_key_agricultural": ("is_key_agricultural", _flag),
            "electronic_licence_eligible": ("electronic_licence_eligible", _flag),
            "auto_import_licence": ("auto_import_licence", _flag),
        },
    ),
    Source("dosage_forms.csv", m.DosageForm, "code", {}),
    Source("carriers.csv", m.Carrier, "code", {}),
    Source(
        "countries.csv",
        m.Country,
        "code",
        {"alpha2": ("code", str), "alpha3": ("alpha3", str), "numeric": ("numeric", str)},
    ),
    Source(
        "currencies.csv",
        m.Currency,
        "code",
        {"numeric": ("numeric", str), "usd_rate": ("usd_rate", _decimal)},
    ),
    Source("trade_modes.csv", m.TradeMode, "code", {}),
    Source("purposes.csv", m.Purpose, "code", {"module": ("module", str)}),
    # Sorted by code, so a parent row comes before its children.
    Source(
        "regions.csv",
        m.Region,
        "code",
        {"level": ("level", str), "parent_code": ("parent", m.Region)},
    ),
]
NAME_COLUMNS = {"code": ("code", str), "name_zh": ("name_zh", str), "name_en": ("name_en", str)}


def _rows(filename: str):
    with open(DATA_DIR / filename, encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def _values(source: Source, row: dict) -> dict:
    values = {}
    for column, (field, convert) in {**NAME_COLUMNS, **source.columns}.items():
        if column not in row:
            continue
        if isinstance(convert, type) and issubclass(convert, m.ReferenceItem):
            # Compared and written by id, so an unchanged row costs no query.
            code = row[column].strip()
            values[f"{field}_id"] = convert.objects.get(code=code).pk if code else None
        else:
            values[field] = convert(row[column])
    return values


def _load_source(source: Source) -> tuple[int, int]:
    existing = {obj.code: obj for obj in source.model.objects.all()}
    created = updated = 0
    for row in _rows(source.filename):
        values = _values(source, row)
        obj = existing.get(values["code"])
        if obj is None:
            obj = source.model(**values, live=True, has_unpublished_changes=False)
            obj.save()
            created += 1
            continue
        changed = [f for f, v in values.items() if getattr(obj, f) != v]
        if changed:
            for field in changed:
                setattr(obj, field, values[field])
            obj.save(update_fields=changed)
            updated += 1
    return created, updated


def _load_purpose_attachments() -> tuple[int, int]:
    created = updated = 0
    purposes = {p.code: p for p in m.Purpose.objects.all()}
    for row in _rows("purpose_attachments.csv"):
        purpose = purposes[row["purpose_code"]]
        values = {
            "name_en": row["name_en"],
            "required": _flag(row["required"]),
            "sort_order": int(row["sort"]),
        }
        obj = m.PurposeAttachment.objects.filter(purpose=purpose, name_zh=row["name_zh"]).first()
        if obj is None:
            m.PurposeAttachment.objects.create(purpose=purpose, name_zh=row["name_zh"], **values)
            created += 1
        elif any(getattr(obj, f) != v for f, v in values.items()):
            m.PurposeAttachment.objects.filter(pk=obj.pk).update(**values)
            updated += 1
    return created, updated


def _load_conditional_attachments() -> tuple[int, int]:
    """The attachment types systems add when a condition holds, by key.  Created once: the
    names are editors' to keep afterwards, so a later run leaves them as they are."""
    created = 0
    existing = set(m.PurposeAttachment.objects.filter(purpose=None).values_list("key", flat=True))
    for row in _rows("conditional_attachments.csv"):
        if row["key"] in existing:
            continue
        m.PurposeAttachment.objects.create(
            purpose=None,
            key=row["key"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            required=False,
            sort_order=int(row["sort"]),
        )
        created += 1
    return created, 0


@top_level
def load_reference_data() -> dict[str, tuple[int, int]]:
    """Upsert every seed list; returns {list: (created, updated)}."""
    report = {source.filename: _load_source(source) for source in SOURCES}
    report["purpose_attachments.csv"] = _load_purpose_attachments()
    report["conditional_attachments.csv"] = _load_conditional_attachments()
    return report
