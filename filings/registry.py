"""The registry of filing systems: each system declares itself once, at start.

A system is a package (``portal/drug_permits``…) holding only what is its own:
its application model (a ``Filing`` subclass) and lines, its state graph (the
transitions on the model), its forms, rules and document content.  It
subclasses ``System`` below, fills in what applies, and registers an instance
in its ``AppConfig.ready``.  Everything shared (the enterprise and approver
pages, notices, certificates, customs, push, exports, audit) reads the
declaration instead of naming the system.

The four shapes of approval the declaration covers (``stages``):

- drug permit: levels 1-4, 2 and 3 optional, chosen by each authority;
- audio-video import: one level;
- automatic import licence: first and second review;
- export drug archive: none (filed and changed, read by regulators).
"""

from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Stage:
    """One approval level: who acts (the level a seat holds) and where filings wait."""

    level: int
    state: str  # the status a filing waits in for this level
    label: str  # e.g. 受理 / 初审; lazy translation
    optional: bool = False  # the authority chooses it once in its settings


@dataclass(frozen=True)
class FilerTable:
    """A table the filer keeps on its own page (e.g. a contract table), beside one
    application (``per="filing"``) or once for the enterprise (``per="enterprise"``).
    The page and the API share it: ``owner`` is the filing, or the user's membership.

    ``form`` is a ModelForm of ``model``; ``get(owner)`` the saved instance (or None);
    ``initial(owner)`` what an unsaved one starts from; ``save(owner=, actor=, values=,
    rows=)`` the service (rows: the cleaned values of ``row_form``, when it has rows,
    all replaced); ``required(filing)``: submit needs it; ``shown(owner)``: read-only
    values the page shows beside the form."""

    slug: str  # the address: /<number>/<slug>/ (per filing) or /<slug>/
    label: str
    form: type
    get: object
    initial: object
    save: object
    per: str = "filing"
    row_form: type | None = None
    rows: object = None  # (instance) -> its rows
    required: object = None
    shown: object = None

    @property
    def model(self):
        return self.form._meta.model


@dataclass(frozen=True)
class Column:
    """One value of a filing shown in a list, a detail, a document or an export."""

    label: str
    value: object  # a callable (obj) -> value, or a dotted attribute path
    width: int = 14  # Excel column width
    shown: object = None  # a callable (obj) -> bool: shown on pages only when it applies

    def applies(self, obj) -> bool:
        return self.shown is None or bool(self.shown(obj))

    def of(self, obj):
        if callable(self.value):
            return self.value(obj)
        for part in str(self.value).split("."):
            obj = getattr(obj, part, None) if obj is not None else None
            if callable(obj) and not isinstance(obj, models.Model):
                obj = obj()
        return obj


def _field_value(field):
    """How a page shows one model field: a reference item by its name in the reader's
    language, a choice by its label, a decimal to its places."""
    name = field.name
    if field.is_relation:
        names = {f.name for f in field.related_model._meta.fields}
        localized = hasattr(field.related_model, "localized_name")
        if {"code", "name_zh"} <= names:

            def item(obj, name=name):
                value = getattr(obj, name)
                if value is None:
                    return ""
                return f"{value.code} {value.localized_name if localized else value.name_zh}"

            return item
        if "name_zh" in names:
            return f"{name}.localized_name" if localized else f"{name}.name_zh"
        return name
    if field.choices:
        return f"get_{name}_display"
    if isinstance(field, models.BooleanField):
        return lambda obj, name=name: str(_("Yes") if getattr(obj, name) else _("No"))
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return lambda obj, name=name: getattr(obj, name) and getattr(obj, name).isoformat()
    if isinstance(field, models.DecimalField):
        places = field.decimal_places

        def decimal(obj, name=name, places=places):
            value = getattr(obj, name)
            return f"{value:,.{places}f}" if value is not None else ""

        return decimal
    return name


def columns_of(model, names) -> tuple[Column, ...]:
    """One column per model field named, labelled with its verbose name."""
    found = []
    for name in names:
        field = model._meta.get_field(name)
        found.append(Column(capfirst(field.verbose_name), _field_value(field)))
    return tuple(found)


class System:
    """What one filing system declares.  Subclass, fill in, register an instance."""

    key: str = ""  # the module an owner grants (reference.Module value)
    label = ""  # shown in menus and titles
    model: type | None = None  # the Filing subclass
    line_model: type | None = None  # goods lines (a ParentalKey child of ``model``)
    lines_relation = "lines"  # related_name of the lines on ``model``
    line_parent = "filing"  # the lines' ParentalKey field
    max_lines: int | None = None
    statuses: type[models.TextChoices] | None = None
    draft_state = "DRAFT"
    editable_states: tuple = ("DRAFT",)  # where the filer may change a filing
    deletable_states: tuple = ("DRAFT",)
    void_state = "VOID"  # where a filing goes when its certificate is voided
    stages: tuple[Stage, ...] = ()
    authority_kinds: tuple = ()  # reference.AuthorityKind values that decide it

    # URLs: enterprise pages live under /<slug>/ (namespace ``url_namespace``),
    # back-office pages under /admin/<admin_slug>/ (namespace ``admin_slug``).
    slug = ""
    url_namespace = ""
    admin_slug = ""

    # Forms of the system's own package (the mechanism instantiates them).
    header_form = None
    line_form = None

    # Rule objects (workflows.rules) the services run on every path.
    header_rules: tuple = ()
    line_rules: tuple = ()
    submit_rules: tuple = ()
    attachment_rules: tuple = ()

    # Fields of the header the filer changes (services accept only these).
    header_fields: tuple = ()
    # Of those, the ones chosen once, when the filing is created (e.g. import or export).
    create_only_fields: tuple = ()
    # What a copy (复制) leaves out.
    copy_excludes: tuple = ()

    # Values shown on pages, documents and exports.
    list_columns: tuple[Column, ...] = ()  # the enterprise's list
    staff_columns: tuple[Column, ...] = ()  # the approvers' lists
    header_columns: tuple[Column, ...] = ()
    line_columns: tuple[Column, ...] = ()
    export_columns: tuple[Column, ...] = ()
    export_title = ""

    # Goods lines from Excel (a template to download, an import with a preview):
    # the line form's fields are the columns; ``line_example`` is the example row.
    lines_from_excel = False
    line_example: dict = {}
    lines_per_page = 50

    # Attachments: what a file must be (the upload's ``accept``), what the page says,
    # and, for a list kept in a spreadsheet, the form of one row (its template is offered).
    attachment_accept = "application/pdf"
    attachment_help = ""
    # The most one attachment may weigh, in bytes (None: settings.ATTACHMENT_MAX_BYTES).
    # The upload service refuses a bigger file; the upload page states the limit.
    attachment_max_bytes: int | None = None
    attachment_sheet_form = None
    attachment_sheet_example: dict = {}

    # How many copies one 复制 makes at most (the list asks how many when more than one).
    copies_max = 1

    # The enterprise's list filters its dates by this field (created or submitted).
    filer_date_field = "created_at"

    issues_certificate = False
    # What the system calls what it issues (准许证, 许可证, 批准单) on every page.
    certificate_noun = _("Certificate")
    certificate_number_label = _("Certificate number")
    sends_to_customs = False
    # The system's own names of the customs states (CustomsStatus value -> label).
    customs_status_labels: dict = {}
    imports_certificates = False
    # 老版录入: final-level approvers and the authority's administrator key in certificates
    # issued earlier on paper (checked as an imported one, then sent to customs).  What the
    # system records beyond the common fields: its header values (``content`` key -> form
    # field) and each line's values (``details`` key -> form field), in the order shown.
    enters_legacy_certificates = False
    legacy_content_fields: dict = {}
    legacy_line_fields: dict = {}
    # Extra settings an authority keeps for this system (name -> form field).
    settings_fields: dict = {}
    # The enterprise's statistics (月度统计), when the system keeps them: the filters'
    # form (with ``filters()`` giving ``statistics``' keyword arguments) and the rows.
    statistics_form = None
    # Tables the filer keeps on pages of their own (FilerTable), and a check the filer may
    # run before creating (a form with ``problems()``: why not, empty when it passes; and
    # ``query()``: the answers as the create form takes them).
    filer_tables: tuple = ()
    precheck_form = None

    templates: dict = {}  # overrides of the shared templates, by role

    # Certificates (when ``issues_certificate``): see documents.services.
    certificate_columns: tuple[Column, ...] = ()  # compared on corrections
    certificate_line_columns: tuple[Column, ...] = ()
    correctable_fields: dict = {}  # 改错: certificate field -> label
    correctable_line_fields: dict = {}  # 改错: line field (or details.<key>) -> label
    certificate_layout: dict = {}  # 套打: name -> (label, x, y, size, width, height)
    certificate_export_title = ""
    certificate_export_columns: tuple = ()  # (header, width, key[, format(value)])
    summary_columns: tuple[Column, ...] = ()  # the sign-off sheet's summary

    # --- records kept rather than decided (the export drug archive) -------------------
    # A versioned system keeps every submitted version: the row is the live (submitted)
    # version, a change (变更) is a draft revision (Wagtail DraftStateMixin) until submitted.
    versioned = False
    # Regulators read the submitted filings of enterprises in their jurisdiction.
    regulator_reads = False
    # The filer gives a second-factor code (TOTP) to submit (the seeds' card key).
    submit_needs_second_factor = False
    attachments = True  # the filer uploads attachments
    # Other numbers a filer may search by in "My filings" (model fields, exact match).
    search_numbers: tuple = ()
    # Enter once (一次录入): form field -> the enterprise profile's attribute it starts
    # from on a new filing (editable unless the form greys it).
    prefill: dict = {}

    def __init__(self):
        # Pages show the fields the filer typed unless the system declares its own columns.
        if not self.header_columns and self.header_form is not None:
            self.header_columns = columns_of(self.model, self.header_fields)
        if not self.line_columns and self.line_form is not None:
            self.line_columns = columns_of(self.line_model, self.line_form._meta.fields)

    def __str__(self):
        return str(self.label)

    # --- derived from the declaration ------------------------------------------------

    @cached_property
    def levels(self) -> tuple[int, ...]:
        return tuple(stage.level for stage in self.stages)

    def stage_for_level(self, level: int) -> Stage | None:
        return next((s for s in self.stages if s.level == level), None)

    def stage_for_state(self, state: str) -> Stage | None:
        return next((s for s in self.stages if s.state == state), None)

    def status_label(self, value: str) -> str:
        if self.statuses is None:
            return value
        try:
            return str(self.statuses(value).label)
        except ValueError:
            return value

    def transitions(self):
        """Every transition of the state graph (django-fsm-2), with its custom data."""
        found = self.model._meta.get_field("status").get_all_transitions(self.model)
        return sorted(found, key=lambda t: t.method.__code__.co_firstlineno)

    @cached_property
    def decisions(self):
        """The approvers' transitions, in declaration order."""
        return [t for t in self.transitions() if t.custom.get("actor") == "approver"]

    def acting_levels(self, state: str, *, queue: str | None = None) -> set[int]:
        """The levels that decide a filing in ``state`` (optionally: in one queue)."""
        levels = set()
        for t in self.decisions:
            if t.source != state or (queue and t.custom.get("queue", "todo") != queue):
                continue
            explicit = t.custom.get("levels")
            if explicit:
                levels.update(explicit)
            else:
                stage = self.stage_for_state(state)
                if stage:
                    levels.add(stage.level)
        return levels

    def queue_states(self, level: int, queue: str = "todo") -> list[str]:
        """The states in which filings wait for ``level`` in one of its queues."""
        states = []
        for t in self.decisions:
            if t.custom.get("queue", "todo") != queue or t.source in states:
                continue
            if level in self.acting_levels(t.source, queue=queue):
                states.append(t.source)
        return states

    def has_queue(self, queue: str) -> bool:
        return any(t.custom.get("queue", "todo") == queue for t in self.decisions)

    def enabled_levels(self, chosen) -> list[int]:
        """Mandatory stages plus the optional ones an authority chose."""
        chosen = set(chosen or ())
        return [s.level for s in self.stages if not s.optional or s.level in chosen]

    def next_state(self, *, after_level: int, enabled: list[int]) -> str | None:
        """The state of the next enabled stage after ``after_level``, if any."""
        for stage in self.stages:
            if stage.level > after_level and stage.level in enabled:
                return stage.state
        return None

    def template(self, role: str, default: str) -> list[str]:
        """The system's own template for ``role`` if it has one, then the shared one."""
        own = self.templates.get(role)
        return [own, default] if own else [default]

    # --- content hooks (override in the system) ---------------------------------------

    def new_number(self, filing) -> str:
        raise ImproperlyConfigured(f"{self.key} declares no application numbering")

    def certificate_number(self, filing) -> str:
        raise ImproperlyConfigured(f"{self.key} issues no certificates")

    def title(self, obj) -> str:
        """The document's title for a filing or a certificate (e.g. 进口准许证)."""
        return str(self.label)

    def list_queryset(self, filings):
        """The enterprise's list as its columns read it (select what they need at once)."""
        return filings

    def list_filters(self) -> dict:
        """The system's own filters of its lists (name -> django-filter Filter), fresh each call."""
        return {}

    def prefill_values(self, enterprise) -> dict:
        """What a new filing's form starts from: the enterprise's own details (``prefill``)."""
        return {
            field: getattr(enterprise, attribute, "") or ""
            for field, attribute in self.prefill.items()
        }

    def statistics(self, *, user, **filters) -> list[dict]:
        """The rows of the statistics (with ``statistics_form``): per commodity
        ``hs_code__code``, ``hs_code__name_zh``, ``hs_code__name_en``, ``unit``, and the
        month's and the year's ``*_quantity``, ``*_usd`` and ``*_count``, of what the
        user's enterprise filed."""
        return []

    def regulator_filters(self) -> dict:
        """The system's own filters of the regulators' query (name -> django-filter Filter)."""
        return {}

    def entry_block(self, membership) -> str | None:
        """A template explaining why this enterprise cannot file yet (None: it can)."""
        return None

    @property
    def attachment_limit(self) -> int:
        """The attachment size limit in bytes: the system's own, else the portal's."""
        return self.attachment_max_bytes or settings.ATTACHMENT_MAX_BYTES

    @property
    def attachment_limit_mb(self) -> str:
        return f"{self.attachment_limit / 1024 / 1024:g}"

    def attachment_types(self, filing):
        """The attachment types a filing lists (one file each), or None for free uploads."""
        return None

    def line_initial(self, line) -> dict:
        """The values a new goods line starts from when copying ``line`` ("save and add")."""
        if line is None:
            return {}
        return {
            f.name: getattr(line, f.attname)
            for f in line._meta.concrete_fields
            if f.name not in ("id", "line_number")
            and not f.primary_key
            and f.name != self.line_parent
        }

    def copy_extras(self, source, copy) -> None:
        """What else a copy (复制) takes over beyond header and lines (e.g. the licence's
        contract tables); called inside the copy's transaction."""

    def lines_of(self, filing):
        if self.line_model is None:
            return []
        return getattr(filing, self.lines_relation).all()

    def certificate_content(self, filing) -> dict:
        """What a certificate issued on ``filing`` records (see documents.services)."""
        raise ImproperlyConfigured(f"{self.key} issues no certificates")

    def certificate_validity(self, filing, *, issue_date, settings):
        raise ImproperlyConfigured(f"{self.key} issues no certificates")

    def certificate_values(self, certificate, lines) -> dict:
        """The system's own printed values of a certificate, by layout field name."""
        return {}

    def check_imported(self, data: dict) -> list:
        """Problems of a certificate imported from an authority's own system or entered from
        paper: each a message, or ``(field, message)`` to show it beside a field of the entry
        form (a ``content`` key, or ``lines``)."""
        return []

    def max_declarations(self, certificate) -> int | None:
        """How many customs declarations may write off one certificate (None: no limit)."""
        return None

    def detail_sections(self, filing) -> list[dict]:
        """Further parts of a filing that approvers read on its detail page, each
        ``{"id", "title", "facts": [(label, value)], "groups": [(title, facts)],
        "table": {"labels", "rows"}, "missing"}``
        (e.g. the licence's contract tables)."""
        return []

    def application_form_context(self, filing) -> dict:
        """What the system's own application-form template needs beyond the shared context."""
        return {}

    def urls(self) -> list:
        """The system's own enterprise pages (e.g. a pre-check), beside the shared ones."""
        return []

    def load_demo(self, *, owner) -> None:
        """Demo approvers and filings of this system for ``make run`` (idempotent)."""

    def export_rows(self, filings):
        """Rows of the application export (one per filing, matching ``export_columns``)."""
        for filing in filings.iterator(chunk_size=2000):
            yield [column.of(filing) for column in self.export_columns]


_systems: dict[str, System] = {}


def register(system: System) -> System:
    if not system.key or system.model is None:
        raise ImproperlyConfigured("A system needs a key and a model.")
    if system.key in _systems and _systems[system.key] is not system:
        raise ImproperlyConfigured(f"System {system.key} is registered twice.")
    _systems[system.key] = system
    return system


def get(key: str) -> System:
    try:
        return _systems[key]
    except KeyError as error:
        raise LookupError(f"No filing system {key!r} is registered.") from error


def find(key: str) -> System | None:
    return _systems.get(key)


def by_admin_slug(slug: str) -> System | None:
    return next((s for s in _systems.values() if s.admin_slug == slug), None)


def all_systems() -> list[System]:
    return list(_systems.values())


def for_model(model) -> System | None:
    return next((s for s in _systems.values() if issubclass(model, s.model)), None)
