"""The mechanism's services: every change a filer or an approver makes, for any system.

Each is keyword-only, runs in one durable transaction of its own (``@top_level``:
never nested in a caller's), checks who may act, runs the
system's declared rules (so a web form, a copy or a later API all enforce
them), changes state only through the declared transitions (with the
optimistic lock and an audit row), saves a Wagtail revision of the filing,
and leaves notifications to run once the transaction commits.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from customs import services as customs
from documents import selectors as document_selectors
from documents import services as documents
from filings import registry
from filings.models import ApprovalSettings, Attachment, Filing, StagedImport
from filings.runner import AlreadyHandled, already_handled, run_transition
from filings.selectors import approval_settings, attachments_of, authority_id_for
from filings.transitions import available, is_filer, transition_named
from portal import files
from portal.accounts import second_factor
from portal.accounts.selectors import membership_of
from portal.languages import formatted
from portal.reference.models import Authority
from portal.spreadsheets import UnreadableWorkbook
from portal.transactions import durable, top_level

from . import rules, spreadsheets
from .seats import levels_without_seat


def _require_filer(filing, actor) -> None:
    if not is_filer(filing, actor):
        raise PermissionDenied


def _require_editable(filing) -> None:
    if not filing.is_editable:
        raise ValidationError(_("Only drafts and applications returned for supplement can change."))


def _changed(filing, actor) -> None:
    """A line or attachment of the draft changed: the filing's updated time and a revision."""
    filing.save(update_fields=["updated_at"])
    filing.save_revision(user=actor, clean=False)


def _apply(obj, values: dict, allowed) -> list[str]:
    changed = [name for name in values if name in allowed]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def _clean(obj, *, rules_to_run, **context) -> None:
    """Model validation (types, lengths, required fields) and the declared rules together."""
    errors = {}
    try:
        obj.full_clean(exclude=["status", "filing_ptr", "enterprise", "created_by", "number"])
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        rules.check(rules_to_run, obj, **context)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(
                m for m in messages if m not in errors.get(field, [])
            )
    if errors:
        raise ValidationError(errors)


# --- drafts ---------------------------------------------------------------------------------


@top_level
def create_draft(*, system, actor, values: dict):
    """暂存 a new filing: validated by the system's header rules; it gets its number now."""
    membership = membership_of(actor)
    if membership is None:
        raise PermissionDenied
    filing = system.model(
        system=system.key,
        enterprise=membership.enterprise,
        created_by=actor,
    )
    if system.versioned:
        filing.live = False  # nothing submitted yet: no version anybody else reads
    _apply(filing, values, system.header_fields)
    _require_filer(filing, actor)
    _clean(filing, rules_to_run=system.header_rules)
    filing.number = system.new_number(filing)
    filing.save()
    filing.save_revision(user=actor, clean=False)
    return filing


@top_level
def update_draft(*, filing, actor, values: dict):
    """Save the header of a draft (or of a filing returned for supplement)."""
    _require_filer(filing, actor)
    _require_editable(filing)
    system = filing.declaration
    if "authority" in values and values["authority"] != filing.authority:
        if filing.status != system.draft_state:
            raise ValidationError(
                {"authority": _("The authority cannot change once the application was filed.")}
            )
    target = working_copy(filing)
    changed = _apply(target, values, set(system.header_fields) - set(system.create_only_fields))
    _clean(target, rules_to_run=system.header_rules)
    if target is filing:
        filing.save(update_fields=[*changed, "updated_at"])
        filing.save_revision(user=actor, clean=False)
        return filing
    # A change (变更) of a submitted record: only its draft revision moves; the row,
    # which is the version regulators read, stays as submitted.
    target.save_revision(user=actor, clean=False)
    Filing.objects.filter(pk=filing.pk).update(updated_at=timezone.now())
    return target


# --- versioned records (变更): the row is the submitted version, a change a draft revision ----


def working_copy(filing):
    """What the filer edits and what submitting checks: the row, or, while a submitted
    record of a versioned system is being changed, the change's draft revision."""
    system = filing.declaration
    if system.versioned and filing.status != system.draft_state and filing.is_editable:
        return filing.get_latest_revision_as_object()
    return filing


@top_level(atomic=False)
def start_change(*, filing, actor, request=None):
    """变更: a draft version from the submitted one; the submitted one stays live."""
    _require_filer(filing, actor)
    chosen = _filer_transition(filing, actor, "change")
    with durable():
        run_transition(target=filing, actor=actor, name=chosen.name, request=request)
        filing.save_revision(user=actor, clean=False)  # the change's draft, marked unpublished
    return filing


@top_level(atomic=False)
def discard_change(*, filing, actor, request=None):
    """Drop the change's draft; the submitted version never changed."""
    _require_filer(filing, actor)
    chosen = _filer_transition(filing, actor, "discard")
    with durable():
        filing.latest_revision = filing.live_revision
        filing.has_unpublished_changes = False
        run_transition(target=filing, actor=actor, name=chosen.name, request=request)
    return filing


def _submit_version(filing, actor, chosen, request, then=None):
    """Submit a versioned record: its draft (first submit) or its change becomes the live
    version, recorded as a revision on the audit row (every version stays readable)."""
    system = filing.declaration
    source = working_copy(filing)
    rules.check(system.submit_rules, source)
    with durable():
        if source is not filing:
            for name in system.header_fields:
                value = getattr(source, name)
                setattr(filing, name, list(value.all()) if hasattr(value, "all") else value)
        now = timezone.now()
        filing.submitted_at = now
        filing.live = True
        filing.has_unpublished_changes = False
        filing.first_published_at = filing.first_published_at or now
        filing.last_published_at = now
        revision = filing.save_revision(user=actor, clean=False, changed=False)
        filing.live_revision = revision
        run_transition(
            target=filing, actor=actor, name=chosen.name, request=request, revision=revision
        )
        if then is not None:
            then(filing)
    return filing


def _lines(filing):
    return list(filing.declaration.lines_of(filing).select_for_update())


@top_level
def add_line(*, filing, actor, values: dict):
    """One more goods line, under the system's line rules (how many, what stays fixed)."""
    _require_filer(filing, actor)
    _require_editable(filing)
    system = filing.declaration
    lines = _lines(filing)
    line = system.line_model(
        **{system.line_parent: filing},
        line_number=max((g.line_number for g in lines), default=0) + 1,
        **values,
    )
    _clean(line, rules_to_run=system.line_rules, lines=lines, adding=True)
    line.save()
    _changed(filing, actor)
    return line


@top_level
def update_line(*, filing, actor, line, values: dict):
    """Change one goods line of a draft, under the same line rules as adding one."""
    _require_filer(filing, actor)
    _require_editable(filing)
    system = filing.declaration
    if getattr(line, f"{system.line_parent}_id") != filing.pk:
        raise PermissionDenied
    lines = [g for g in _lines(filing) if g.pk != line.pk]
    for name, value in values.items():
        setattr(line, name, value)
    _clean(line, rules_to_run=system.line_rules, lines=lines, adding=False)
    line.save()
    _changed(filing, actor)
    return line


@top_level
def save_draft(*, filing, actor, values: dict, line_values: dict | None = None):
    """The edit page's one form: the header and, when given, a new goods line, in one
    transaction; returns the new line (None without one)."""
    update_draft.within(filing=filing, actor=actor, values=values)
    if line_values is None:
        return None
    return add_line.within(filing=filing, actor=actor, values=line_values)


def _line_form(filing):
    system = filing.declaration
    lines = list(system.lines_of(filing)[:1])
    return system.line_form(first_line=lines[0] if lines else None, filing=filing)


@top_level(atomic=False)
def stage_line_import(*, filing, actor, uploaded_file) -> StagedImport:
    """Read a goods-line spreadsheet: every row cleaned and checked, nothing added yet.

    An unreadable, oversized or hostile file raises ValidationError and
    stages nothing.  A filing keeps one staged import per user."""
    _require_filer(filing, actor)
    _require_editable(filing)
    system = filing.declaration
    if system.line_model is None:
        raise PermissionDenied
    existing = list(system.lines_of(filing))
    parent = system.line_parent

    def build(values):
        return system.line_model(**{parent: filing}, line_number=0, **values)

    try:
        result = spreadsheets.read(
            uploaded_file,
            _line_form(filing),
            build=build,
            row_rules=system.line_rules,
            example=system.line_example,
            context={"lines": existing, "adding": True},
        )
    except UnreadableWorkbook as error:
        raise ValidationError({"file": [str(error)]}) from None
    if not result.accepted and not result.rejected:
        raise ValidationError({"file": [_("The file has no goods rows below the header.")]})
    with durable():
        StagedImport.objects.filter(filing=filing, created_by=actor).delete()
        return StagedImport.objects.create(
            filing=filing,
            created_by=actor,
            file_name=files.display_name(uploaded_file.name),
            rows=result.rows,
            accepted=result.accepted,
            rejected=result.rejected,
        )


@top_level
def confirm_line_import(*, filing, actor, staged: StagedImport) -> int:
    """Add the accepted rows of a staged import as goods lines (one revision); returns how many."""
    _require_filer(filing, actor)
    _require_editable(filing)
    if staged.filing_id != filing.pk or staged.created_by_id != actor.pk:
        raise PermissionDenied
    system = filing.declaration
    lines = _lines(filing)
    start = max((g.line_number for g in lines), default=0)
    model, parent = system.line_model, system.line_parent
    fields = {f.name: f for f in model._meta.concrete_fields}
    new = []
    for offset, (_row, values) in enumerate(staged.accepted, start=1):
        kwargs = {}
        for name, value in values.items():
            field = fields[name]
            if field.is_relation:
                kwargs[field.attname] = value
            else:
                kwargs[name] = field.to_python(value)
        new.append(model(**{parent: filing}, line_number=start + offset, **kwargs))
    # The rules that count lines see the final list once more (another tab may have added).
    if system.max_lines is not None and len(lines) + len(new) > system.max_lines:
        raise ValidationError(
            gettext_lazy("An application has at most %(n)s goods lines."),
            params={"n": system.max_lines},
        )
    model.objects.bulk_create(new, batch_size=1000)
    staged.delete()
    _changed(filing, actor)
    return len(new)


def still_missing(filing, *, rendered: bool = True) -> list:
    """What submitting would still refuse, as messages (shown when a draft is saved);
    with ``rendered=False`` as the rules give them (lazy: render them in each language
    without running the rules again)."""
    try:
        rules.check(filing.declaration.submit_rules, filing)
    except ValidationError as error:
        if rendered:
            return list(dict.fromkeys(error.messages))
        found = (
            sum(error.error_dict.values(), []) if hasattr(error, "error_dict") else error.error_list
        )
        return [formatted(e.message, **e.params) if e.params else e.message for e in found]
    return []


@top_level
def delete_line(*, filing, actor, line) -> None:
    _require_filer(filing, actor)
    _require_editable(filing)
    if getattr(line, f"{filing.declaration.line_parent}_id") != filing.pk:
        raise PermissionDenied
    line.delete()
    _changed(filing, actor)


# --- attachments ---------------------------------------------------------------------------


def may_delete_attachment(filing, attachment) -> bool:
    """Drafts: any attachment.  Returned for supplement: only those the approver marked."""
    if not filing.is_editable or attachment.filing_id != filing.pk:
        return False
    return filing.status == filing.declaration.draft_state or attachment.needs_resubmission


@top_level(atomic=False)
def upload_attachment(*, filing, actor, attachment_type, uploaded_file) -> Attachment:
    """Store the file, then the row, in one transaction; if it rolls back, so does the file."""
    _require_filer(filing, actor)
    _require_editable(filing)
    # The system's size limit first: a bigger file is not read any further.
    system = filing.declaration
    rules.check((rules.MaxSize(system.attachment_limit),), filing, file=uploaded_file)
    rules.check(
        system.attachment_rules,
        filing,
        file=uploaded_file,
        attachment_type=attachment_type,
    )
    with files.stored_in_transaction() as stored:
        with durable():
            attachment = Attachment(
                filing=filing,
                attachment_type=attachment_type,
                original_name=files.display_name(uploaded_file.name),
                size=uploaded_file.size,
                uploaded_by=actor,
            )
            attachment.file.save(files.stored_name(uploaded_file), uploaded_file, save=False)
            stored(attachment.file)
            attachment.save()
            _changed(filing, actor)
    return attachment


@top_level
def delete_attachment(*, filing, actor, attachment) -> None:
    """The row now, the file once the deletion commits (a committed row never loses its file)."""
    _require_filer(filing, actor)
    _require_editable(filing)
    if attachment.filing_id != filing.pk:
        raise PermissionDenied
    attachment = attachments_of(filing).select_for_update().get(pk=attachment.pk)
    if not may_delete_attachment(filing, attachment):
        raise ValidationError(_("Only attachments marked for resubmission can be replaced."))
    files.delete_on_commit(attachment.file)
    attachment.delete()
    _changed(filing, actor)


@top_level
def delete_draft(*, filing, actor) -> None:
    """Irreversible: only in the states the system allows (drafts)."""
    _require_filer(filing, actor)
    if filing.status not in filing.declaration.deletable_states:
        raise ValidationError(_("Only drafts can be deleted."))
    for attachment in attachments_of(filing):
        files.delete_on_commit(attachment.file)
    filing.revisions.delete()
    filing.delete()


@top_level
def copy_filing(*, filing, actor, times: int | None = None):
    """复制: a new draft with the same header and lines, from any status.  With ``times``,
    that many copies (at most the system's ``copies_max``), returned as a list."""
    if times is not None:
        system = filing.declaration
        if not 1 <= times <= system.copies_max:
            raise ValidationError(
                gettext_lazy("Enter how many copies to make: a whole number from 1 to %(most)s."),
                params={"most": system.copies_max},
            )
        return [_copy(filing=filing, actor=actor) for _n in range(times)]
    return _copy(filing=filing, actor=actor)


def _copy(*, filing, actor):
    """One copy, inside copy_filing's transaction."""
    _require_filer(filing, actor)
    system = filing.declaration
    values = {
        name: getattr(filing, name)
        for name in system.header_fields
        if name not in system.copy_excludes
    }
    values = {k: list(v.all()) if hasattr(v, "all") else v for k, v in values.items()}
    copy = create_draft.within(system=system, actor=actor, values=values)
    relation = system.line_parent
    for line in system.lines_of(filing):
        line.pk = None
        line._state.adding = True
        setattr(line, relation, copy)
        line.save()
    system.copy_extras(filing, copy)
    copy.save_revision(user=actor, clean=False)
    return copy


# --- the enterprise's transitions ------------------------------------------------------------


def _filer_transition(filing, actor, kind: str):
    found = [t for t in available(filing, actor, "filer") if t.custom.get(kind)]
    if not found:
        raise already_handled(filing)
    return found[0]


@top_level(atomic=False)
def submit(*, filing, actor, request=None, second_factor_verified=None, then=None):
    """申报 (or 重新申报 after 补正材料): the rules first, then the declared transition.

    A system declaring ``submit_needs_second_factor`` is refused unless the caller
    passes a verified second factor: ``second_factor_verified=True`` (a code just
    checked, or a caller that submits for the enterprise without a request: demo
    data, tests) or a ``request`` whose session passed it (django-otp).  Neither
    given: refused.

    ``then(filing)``, when given, runs inside the submission's own transaction after
    the transition (the API writes its idempotency key there: both commit, or neither).
    """
    _require_filer(filing, actor)
    system = filing.declaration
    if getattr(system, "submit_needs_second_factor", False):
        if second_factor_verified is None:
            second_factor_verified = request is not None and second_factor.is_verified(request)
        if not second_factor_verified:
            raise ValidationError(
                _("Submitting needs the code of your authenticator (second factor).")
            )
    candidates = [
        t
        for t in available(filing, actor, "filer")
        if not any(t.custom.get(kind) for kind in ("withdrawal", "change", "discard"))
    ]
    if not candidates:
        raise already_handled(filing)
    chosen = candidates[0]
    if system.versioned:
        return _submit_version(filing, actor, chosen, request, then)
    checks = list(system.submit_rules)
    if chosen.custom.get("resubmission"):
        checks.append(rules.MarkedAttachmentsReplaced())
    rules.check(checks, filing)
    with durable():
        filing.submitted_at = timezone.now()
        revision = filing.save_revision(user=actor, clean=False)
        run_transition(
            target=filing, actor=actor, name=chosen.name, request=request, revision=revision
        )
        if then is not None:
            then(filing)
    return filing


@top_level
def withdraw(*, filing, actor, request=None):
    """撤回: as the system declares it (to the authority's review, or straight to draft)."""
    _require_filer(filing, actor)
    chosen = _filer_transition(filing, actor, "withdrawal")
    return run_transition(target=filing, actor=actor, name=chosen.name, request=request)


# --- approvers -------------------------------------------------------------------------------


@top_level
def mark_attachment(*, filing, actor, attachment) -> None:
    """The acceptance level marks one attachment "needs resubmission" (greyed once set)."""
    if attachment.filing_id != filing.pk or not can_mark(filing, actor):
        raise PermissionDenied
    Attachment.objects.filter(pk=attachment.pk).update(needs_resubmission=True)


def can_mark(filing, actor) -> bool:
    """Whoever may request a supplement now may mark the attachments it concerns."""
    return any(t.custom.get("notice") == "SUPPLEMENT" for t in available(filing, actor, "approver"))


def _require_opinion(decision, opinion: str, notice_number: str, notice_due: bool) -> None:
    errors = {}
    if notice_due and not notice_number.strip():
        errors["notice_number"] = _("Enter the notice number.")
    if decision.custom.get("opinion_required") and not opinion.strip():
        errors["opinion"] = _("Enter the opinion.")
    if errors:
        raise ValidationError(errors)


def notice_due(filing, decision) -> str | None:
    """The notice kind this decision sends now (a "once" notice only the first time)."""
    kind = decision.custom.get("notice")
    if kind and decision.custom.get("notice_once"):
        if document_selectors.notices_of(filing).filter(kind=kind).exists():
            return None
    return kind


def _settings(filing):
    settings_obj = approval_settings(authority=filing.authority, system=filing.system)
    if settings_obj is None:
        raise ValidationError(_("This authority has not set its initial values yet."))
    return settings_obj


@top_level(atomic=False)
def decide(
    *,
    filing,
    actor,
    decision: str,
    opinion: str = "",
    notice_number: str = "",
    expected_status: str | None = None,
    request=None,
) -> dict:
    """One approver decision, as the system's transition declares it.

    The transition, its notice (受理通知书…) and, on final approval, the
    certificate are one transaction.  A decision taken on a stale page, or
    lost to another approver, is "already handled" with who and when.
    Returns what was produced: ``{"notice": …, "certificate": …}``.
    """
    system = filing.declaration
    found = transition_named(system.model, decision)
    if found is None or found.custom.get("actor") != "approver":
        raise PermissionDenied
    if expected_status and filing.status != expected_status:
        raise already_handled(filing)
    method = getattr(filing, decision)
    if not can_proceed(method):
        raise already_handled(filing)
    chosen = next((t for t in available(filing, actor, "approver") if t.name == decision), None)
    if chosen is None:
        raise PermissionDenied
    kind = notice_due(filing, chosen)
    _require_opinion(chosen, opinion, notice_number, bool(kind))
    settings_obj = _settings(filing)
    kwargs = {}
    if chosen.custom.get("advances"):
        level = system.stage_for_state(filing.status).level
        next_state = system.next_state(after_level=level, enabled=settings_obj.enabled_levels)
        if next_state is None:
            raise ValidationError(_("No approval level follows this one."))
        kwargs["next_state"] = next_state
    produced = {"notice": None, "certificate": None}
    with durable():
        run_transition(
            target=filing,
            actor=actor,
            name=decision,
            opinion=opinion.strip(),
            notice_number=notice_number.strip() if kind else "",
            request=request,
            **kwargs,
        )
        if kind:
            produced["notice"] = documents.issue_notice(
                filing=filing, actor=actor, kind=kind, number=notice_number, opinion=opinion
            )
        if chosen.custom.get("issues_certificate") and system.issues_certificate:
            produced["certificate"] = documents.issue_certificate(filing=filing, actor=actor)
        filing.save_revision(user=actor, clean=False)
    return produced


def preview_notice(*, filing, actor, decision: str, opinion: str, notice_number: str):
    """What the decision's notice would say, unsaved (None when it sends none)."""
    chosen = next((t for t in available(filing, actor, "approver") if t.name == decision), None)
    if chosen is None:
        return None
    kind = notice_due(filing, chosen)
    if not kind:
        return None
    return documents.preview_notice(
        filing=filing, actor=actor, kind=kind, number=notice_number, opinion=opinion
    )


def void_certificate(*, certificate, actor, reason: str, request=None):
    """作废 (see customs.services.void_certificate)."""
    return customs.void_certificate(
        certificate=certificate, actor=actor, reason=reason, request=request
    )


# --- authority settings (初始值设置) ----------------------------------------------------------


@top_level
def save_approval_settings(*, actor, authority: Authority, system: str, values: dict):
    """Save an authority's settings for one system.

    The optional stages lock on the first save (only a superuser changes them
    later); every configured level must have an active seat first.
    """
    declaration = registry.get(system)
    if not actor.is_superuser and authority_id_for(actor, system) != authority.pk:
        raise PermissionDenied
    settings_obj = (
        ApprovalSettings.objects.select_for_update()
        .filter(authority=authority, system=system)
        .first()
    ) or ApprovalSettings(authority=authority, system=system)
    chosen = values.pop("levels", None)
    if chosen is not None:
        chosen = sorted(int(level) for level in chosen)
        if (
            settings_obj.stages_locked
            and not actor.is_superuser
            and chosen != sorted(settings_obj.levels)
        ):
            raise ValidationError(
                _("The approval stages were saved before and can no longer be changed here.")
            )
        settings_obj.levels = declaration.enabled_levels(chosen)
    elif settings_obj.pk is None:
        settings_obj.levels = declaration.enabled_levels(())
    options = {k: values.pop(k) for k in list(values) if k in declaration.settings_fields}
    settings_obj.options = {**settings_obj.options, **options}
    for name, value in values.items():
        setattr(settings_obj, name, value)
    missing = levels_without_seat(authority=authority, system=system, levels=settings_obj.levels)
    if missing:
        raise ValidationError(
            _("Create an active approver seat for every level first; missing: %(levels)s.")
            % {
                "levels": "、".join(
                    str(declaration.stage_for_level(level).label) for level in missing
                )
            }
        )
    settings_obj.stages_locked = True
    settings_obj.full_clean()
    settings_obj.save()
    return settings_obj


__all__ = ["AlreadyHandled"]
