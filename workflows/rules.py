"""Domain rules as objects, run by the services on every path (web form, copy, API).

A rule is a small class (after uktrade/tamato's business rules): its
docstring says what it guards, ``message`` is what the user reads (in their
language), ``field`` is where the message belongs.  A system declares which
rules apply where (``header_rules``, ``line_rules``, ``submit_rules``,
``attachment_rules``); ``check`` runs them and raises one ``ValidationError``
carrying every broken rule, keyed by field.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from filings.selectors import approval_settings, attachments_of
from portal import files
from portal.accounts.validators import validate_uscc
from portal.languages import formatted, localized_name
from portal.pdf_safety import active_content


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class Rule:
    """Base class: override ``broken``; set ``message`` and ``field``."""

    message = _("This is not allowed.")
    field: str | None = None

    def applies(self, obj, context) -> bool:
        return True

    def broken(self, obj, context) -> bool:
        raise NotImplementedError

    def errors(self, obj, context) -> list[tuple[str | None, str]]:
        if self.applies(obj, context) and self.broken(obj, context):
            return [(self.field, self.message)]
        return []

    def summary(self, obj) -> list[tuple[str, str]]:
        """What an approver reads of this rule on the filing's detail, as (title, text)
        facts; most rules have nothing to say beyond their being met."""
        return []


class Required(Rule):
    """A field must be filled, always or when ``when(obj)`` holds."""

    def __init__(self, field: str, message, *, when=None):
        self.field, self.message, self.when = field, message, when

    def applies(self, obj, context):
        return self.when is None or bool(self.when(obj))

    def broken(self, obj, context):
        return _empty(getattr(obj, self.field))


class Different(Rule):
    """Two fields, when both are filled, must differ (e.g. port 1 and port 2)."""

    def __init__(self, field_a: str, field_b: str, message):
        self.field_a, self.field = field_a, field_b
        self.message = message

    def broken(self, obj, context):
        a, b = getattr(obj, self.field_a), getattr(obj, self.field)
        return not _empty(a) and a == b


class ValidUscc(Rule):
    """A unified social credit code, when given, passes its GB 32100-2015 check."""

    def __init__(self, field: str):
        self.field = field

    def errors(self, obj, context):
        value = getattr(obj, self.field)
        if _empty(value):
            return []
        try:
            validate_uscc(value)
        except ValidationError as error:
            return [(self.field, message) for message in error.messages]
        return []


class Passes(Rule):
    """A field, when filled, passes a Django validator (e.g. a phone number's format)."""

    def __init__(self, field: str, validator):
        self.field, self.validator = field, validator

    def errors(self, obj, context):
        value = getattr(obj, self.field)
        if _empty(value):
            return []
        try:
            self.validator(value)
        except ValidationError as error:
            return [(self.field, message) for message in error.messages]
        return []


class Satisfies(Rule):
    """A condition of the system's own (``test(obj) -> bool``), with its message."""

    def __init__(self, test, message, *, field=None, when=None):
        self.test, self.message, self.field, self.when = test, message, field, when

    def applies(self, obj, context):
        return self.when is None or bool(self.when(obj))

    def broken(self, obj, context):
        return not self.test(obj)


class AuthorityAccepting(Rule):
    """The authority has saved its initial values for this system; until then no filing."""

    field = "authority"
    message = _("This authority has not set its initial values yet.")

    def applies(self, obj, context):
        return obj.authority_id is not None

    def broken(self, obj, context):
        return approval_settings(authority=obj.authority, system=obj.system) is None


# --- goods lines (``obj`` is the line; ``context["lines"]`` the filing's other lines) ---


class MaxLines(Rule):
    """A filing holds at most ``limit`` goods lines."""

    def __init__(self, limit: int):
        self.limit = limit

    @property
    def message(self):  # read in the user's language, when the rule is broken
        return formatted(_("An application has at most %(n)s goods lines."), n=self.limit)

    def applies(self, obj, context):
        return context.get("adding", False)

    def broken(self, obj, context):
        return len(context.get("lines", ())) >= self.limit


class SameAsFirstLine(Rule):
    """After the first line, these fields are fixed by it (e.g. the drug itself)."""

    message = _("Must be the same as on the first goods line.")

    def __init__(self, *fields: str):
        self.fields = fields

    def errors(self, obj, context):
        others = [line for line in context.get("lines", ()) if line.pk != obj.pk]
        if not others:
            return []
        first = min(others, key=lambda line: line.line_number)
        if obj.line_number and obj.line_number < first.line_number:
            return []
        return [
            (name, self.message)
            for name in self.fields
            if getattr(first, f"{name}_id", getattr(first, name, None))
            != getattr(obj, f"{name}_id", getattr(obj, name, None))
        ]


class ProductOf(Rule):
    """A value is the product of two others, to the cent (e.g. total = quantity × unit price);
    checked once all three are filled."""

    def __init__(self, field: str, a: str, b: str, message):
        self.field, self.a, self.b, self.message = field, a, b, message

    def broken(self, obj, context):
        values = [getattr(obj, name) for name in (self.a, self.b, self.field)]
        if any(v is None for v in values):
            return False
        product = (Decimal(values[0]) * Decimal(values[1])).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        return values[2] != product


class Positive(Rule):
    """A number that must be more than zero (e.g. a quantity)."""

    def __init__(self, field: str, message):
        self.field, self.message = field, message

    def broken(self, obj, context):
        value = getattr(obj, self.field)
        return value is not None and value <= 0


# --- before submitting (``obj`` is the filing) -------------------------------------------


class AtLeastOneLine(Rule):
    """A filing needs at least one goods line before it is submitted."""

    message = _("Add at least one goods line.")

    def broken(self, obj, context):
        return not obj.declaration.lines_of(obj).exists()


class RequiredAttachments(Rule):
    """Every required attachment type (of the filing's purpose) has a file."""

    def __init__(self, types_of):
        self.types_of = types_of

    def errors(self, obj, context):
        uploaded = set(
            attachments_of(obj)
            .exclude(attachment_type=None)
            .values_list("attachment_type_id", flat=True)
        )
        missing = [t for t in self.types_of(obj) if t.required and t.pk not in uploaded]
        if not missing:
            return []
        return [
            (
                None,
                _("Upload the required attachments: %(names)s.")
                % {"names": "、".join(localized_name(t) for t in missing)},
            )
        ]


def _text(value, obj) -> str:
    """A message or title given as text, or as ``callable(obj)`` when it names the filing's
    own data (e.g. a country)."""
    return str(value(obj) if callable(value) else value)


class HasAttachment(Rule):
    """A file of the conditional attachment type ``key`` is attached (always, or when
    ``when(obj)`` holds).  ``label`` and ``title`` (text or ``callable(obj)``), when
    given, let the approver's detail say whether it was: "<title>: <label> attached"."""

    def __init__(self, key: str, message=None, *, when=None, label=None, title=None):
        self.key, self.when = key, when
        self.message = message or _("Attach the required document.")
        self.label, self.title = label, title

    def applies(self, obj, context):
        return self.when is None or bool(self.when(obj))

    def broken(self, obj, context):
        return not attachments_of(obj).filter(attachment_type__key=self.key).exists()

    def summary(self, obj):
        if self.title is None or self.label is None or not self.applies(obj, {}):
            return []
        text = _("%(label)s attached") if not self.broken(obj, {}) else _("%(label)s missing")
        return [(_text(self.title, obj), text % {"label": self.label})]


class Alternative:
    """One way of meeting a ``OneOf``: met when every one of its ``requirements`` is."""

    def __init__(self, label, *requirements: Rule):
        self.label, self.requirements = label, requirements

    def met(self, obj, context) -> bool:
        return not any(rule.errors(obj, context) for rule in self.requirements)


class OneOf(Rule):
    """At least one of ``alternatives`` is met (always, or when ``when(obj)`` holds), e.g.
    one document, or two others together.  The approver's detail reads which alternative
    was given, under ``title`` (text or ``callable(obj)``) when one is set."""

    def __init__(self, alternatives, message, *, when=None, title=None, field=None):
        if not alternatives:
            raise ValueError("OneOf needs at least one alternative.")
        self.alternatives = tuple(alternatives)
        self.message, self.when, self.title, self.field = message, when, title, field

    def applies(self, obj, context):
        return self.when is None or bool(self.when(obj))

    def given(self, obj, context=None) -> Alternative | None:
        """The first alternative met, or None."""
        context = context or {}
        return next((a for a in self.alternatives if a.met(obj, context)), None)

    def broken(self, obj, context):
        return self.given(obj, context) is None

    def summary(self, obj):
        if self.title is None or not self.applies(obj, {}):
            return []
        given = self.given(obj)
        if given is None:
            return [(_text(self.title, obj), str(_("no alternative given")))]
        text = _("alternative given: %(label)s") % {"label": given.label}
        return [(_text(self.title, obj), str(text))]


def summaries(rule_list, obj) -> list[tuple[str, str]]:
    """Every rule's summary of ``obj``, the texts under one title joined: what the
    approver's detail shows of how the filing met its conditions."""
    joined: dict[str, list[str]] = {}
    for rule in rule_list:
        for title, text in rule.summary(obj):
            joined.setdefault(str(title), []).append(str(text))
    return [(title, "; ".join(texts)) for title, texts in joined.items()]


class MarkedAttachmentsReplaced(Rule):
    """After 补正材料, every attachment the approver marked has been replaced."""

    message = _("Delete each attachment marked for resubmission and upload its replacement.")

    def broken(self, obj, context):
        return attachments_of(obj).filter(needs_resubmission=True).exists()


# --- uploads (``obj`` is the filing; ``context["file"]``, ``context["attachment_type"]``) --


class MaxSize(Rule):
    """An upload is at most ``limit`` bytes."""

    field = "file"

    def __init__(self, limit: int):
        self.limit = limit

    @property
    def message(self):
        return formatted(
            _("An attachment may be at most %(mb)s MB."), mb=f"{self.limit / 1024 / 1024:g}"
        )

    def broken(self, obj, context):
        return context["file"].size > self.limit


def is_pdf(uploaded_file) -> bool:
    """PDF by content, not by name: the file starts with the PDF header."""
    uploaded_file.seek(0)
    head = uploaded_file.read(1024)
    uploaded_file.seek(0)
    return head.lstrip().startswith(b"%PDF-")


ACTIVE_PDF = _(
    "This PDF holds active content (JavaScript, actions run on opening, launched programs "
    "or embedded files) and cannot be accepted. Print it to a plain PDF and upload that."
)


def _active_pdf(uploaded_file) -> list[tuple[str, str]]:
    if active_content(uploaded_file):
        return [("file", ACTIVE_PDF)]
    return []


class PdfOnly(Rule):
    """Attachments are PDF files, recognised by their content, without active content."""

    field = "file"
    message = _("Only PDF files can be attached; this file is not a PDF.")

    def errors(self, obj, context):
        if not is_pdf(context["file"]):
            return [(self.field, self.message)]
        return _active_pdf(context["file"])


def kind_of(uploaded_file) -> str | None:
    """PDF, JPEG or PNG by the file's first bytes (its name is never trusted)."""
    kind = files.kind_of(uploaded_file)
    return kind if kind in ("PDF", "JPEG", "PNG") else None


class FileOfType(Rule):
    """An upload is one of ``kinds`` (PDF, JPEG, PNG), recognised by its content."""

    field = "file"

    def __init__(self, *kinds: str):
        self.kinds = kinds

    @property
    def message(self):
        return formatted(
            _("Only %(kinds)s files can be attached; this file is none of them."),
            kinds="、".join(self.kinds),
        )

    def errors(self, obj, context):
        kind = kind_of(context["file"])
        if kind not in self.kinds:
            return [(self.field, self.message)]
        return _active_pdf(context["file"]) if kind == "PDF" else []


class AttachmentTypeOf(Rule):
    """The attachment type belongs to the filing's own list (e.g. its purpose's)."""

    field = "file"
    message = _("This attachment type belongs to another purpose.")

    def __init__(self, types_of):
        self.types_of = types_of

    def applies(self, obj, context):
        return context.get("attachment_type") is not None

    def broken(self, obj, context):
        return context["attachment_type"].pk not in {t.pk for t in self.types_of(obj)}


class OnePerType(Rule):
    """One file per attachment type: replacing one means deleting the old one first."""

    field = "file"
    message = _("Delete the uploaded file of this type before replacing it.")

    def applies(self, obj, context):
        return context.get("attachment_type") is not None

    def broken(self, obj, context):
        return attachments_of(obj).filter(attachment_type=context["attachment_type"]).exists()


def check(rules, obj, **context) -> None:
    """Run ``rules`` on ``obj``; one ValidationError with every message, keyed by field."""
    errors: dict[str, list] = {}
    for rule in rules:
        for field, message in rule.errors(obj, context):
            errors.setdefault(field or "__all__", []).append(message)
    if errors:
        raise ValidationError(errors)
