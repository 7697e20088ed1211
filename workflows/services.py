from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.reference.models import Authority

from .models import ApprovalSettings
from .selectors import authority_of

STAGE_FIELDS = ("first_review", "second_review")


@transaction.atomic
def save_approval_settings(
    *, actor, authority: Authority, module: str, values: dict
) -> ApprovalSettings:
    """Save an authority's settings; the stages lock on first save (superusers may change them)."""
    if not actor.is_superuser and authority_of(actor) != authority:
        raise PermissionDenied
    settings_obj = (
        ApprovalSettings.objects.select_for_update()
        .filter(authority=authority, module=module)
        .first()
    ) or ApprovalSettings(authority=authority, module=module)
    if settings_obj.stages_locked and not actor.is_superuser:
        changed = [f for f in STAGE_FIELDS if f in values and values[f] != getattr(settings_obj, f)]
        if changed:
            raise ValidationError(
                _("The approval stages were saved before and can no longer be changed here.")
            )
    for name, value in values.items():
        setattr(settings_obj, name, value)
    settings_obj.stages_locked = True
    settings_obj.full_clean()
    settings_obj.save()
    return settings_obj
