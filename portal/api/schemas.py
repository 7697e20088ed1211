"""Typed schemas generated from each system's declaration (no per-system code here).

A header field or goods-line field is a model field named by the declaration
(``header_fields``, the line form's fields); its JSON type follows the model field.
Reference items (ports, countries, HS codes, authorities, purposes…) are given and
returned by their ``code``; other relations by id.
"""

import datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal

from django.db import models
from ninja import Schema
from pydantic import Field, StrictInt, create_model, model_validator
from pydantic_core import PydanticCustomError

from filings import registry

from .errors import Messages

#: A row id in a body: a JSON integer (``false`` is not 0), within a database's bigint.
RowId = Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]


class BodyIn(Schema):
    """A request body: a JSON object.  Ninja's Schema reads attributes off anything it is
    given (``true`` would pass as an empty body and create a draft): anything but an
    object is a 422 ``invalid_request``."""

    @model_validator(mode="wrap")
    @classmethod
    def _an_object(cls, value, handler):
        if not isinstance(value, (dict, cls)):
            raise PydanticCustomError("model_type", "Input should be a JSON object")
        return handler(value)


def has_code(model) -> bool:
    return any(f.name == "code" for f in model._meta.fields)


def _type_of(field):
    if field.many_to_many:
        return list[str] if has_code(field.related_model) else list[int]
    if field.is_relation:
        return str if has_code(field.related_model) else int
    if field.choices:
        values = tuple(str(v) for v, _label in field.flatchoices if v not in ("", None))
        return Literal[values] if values else str
    if isinstance(field, models.BooleanField):
        return bool
    if isinstance(field, models.DecimalField):
        return Decimal
    if isinstance(field, models.DateTimeField):
        return datetime.datetime
    if isinstance(field, models.DateField):
        return datetime.date
    if isinstance(field, (models.IntegerField, models.FloatField)):
        return int if isinstance(field, models.IntegerField) else float
    return str


def _describe(field) -> str:
    text = str(field.verbose_name)
    if field.is_relation and has_code(field.related_model):
        text += f" ({field.related_model._meta.model_name} code)"
    return text


def _fields(model, names) -> dict:
    found = {}
    for name in names:
        field = model._meta.get_field(name)
        kind = _type_of(field)
        found[name] = (kind | None, Field(default=None, description=_describe(field)))
    return found


def _name(system, suffix) -> str:
    return "".join(p.title() for p in system.key.lower().split("_")) + suffix


def line_field_names(system) -> tuple:
    if system.line_form is None:
        return ()
    return tuple(system.line_form._meta.fields)


@cache
def header_in(system_key: str, *, creating: bool):
    system = registry.get(system_key)
    names = [n for n in system.header_fields if creating or n not in system.create_only_fields]
    return create_model(
        _name(system, "Create" if creating else "Update"),
        __base__=BodyIn,
        **_fields(system.model, names),
    )


@cache
def header_out(system_key: str):
    system = registry.get(system_key)
    return create_model(
        _name(system, "Header"), __base__=Schema, **_fields(system.model, system.header_fields)
    )


@cache
def line_in(system_key: str):
    system = registry.get(system_key)
    return create_model(
        _name(system, "LineIn"),
        __base__=BodyIn,
        **_fields(system.line_model, line_field_names(system)),
    )


@cache
def line_out(system_key: str):
    system = registry.get(system_key)
    return create_model(
        _name(system, "Line"),
        __base__=Schema,
        id=(int, ...),
        line_number=(int, ...),
        **_fields(system.line_model, line_field_names(system)),
    )


class Label(Schema):
    zh: str
    en: str


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    attachment_type: int | None = None
    attachment_type_name: Label | None = None
    uploaded_at: datetime.datetime
    needs_resubmission: bool
    download: str


@cache
def filing_out(system_key: str):
    system = registry.get(system_key)
    return create_model(
        _name(system, "Application"),
        __base__=Schema,
        number=(str, ...),
        system=(str, ...),
        status=(str, ...),
        status_label=(Label, ...),
        authority=(str | None, None),
        editable=(bool, ...),
        created_at=(datetime.datetime, ...),
        updated_at=(datetime.datetime, ...),
        submitted_at=(datetime.datetime | None, None),
        header=(header_out(system_key), ...),
        still_missing=(
            Messages,
            Field(description="What submitting still needs (a draft's), in both languages."),
        ),
    )


class CopyIn(BodyIn):
    times: StrictInt = Field(
        default=1, ge=1, description="How many copies (at most the system's copies_max)."
    )


def value_out(field, value) -> Any:
    """One model value as the API gives it."""
    if value is None:
        return None
    if field.many_to_many:
        items = list(value.all())
        return [i.code if has_code(field.related_model) else i.pk for i in items]
    if field.is_relation:
        return value.code if has_code(field.related_model) else value.pk
    return value


class Decision(Schema):
    name: str
    label: Label


class DecisionIn(BodyIn):
    decision: str = Field(description="The transition's name, as listed in `decisions`.")
    opinion: str = ""
    notice_number: str = ""
    expected_status: str | None = Field(
        default=None,
        description="The status you saw: a decision on a changed application is refused (409).",
    )


class DecisionOut(Schema):
    application: dict
    notice: int | None = None
    certificate: str | None = None


class NoticeOut(Schema):
    id: int
    kind: str
    kind_label: Label
    number: str
    issued_on: datetime.date
    pdf: str
