"""The roles of DOMAIN.md, read off a user's records, and their admin groups."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .selectors import seats_of


class Role(models.TextChoices):
    OWNER = "OWNER", _("Enterprise owner")
    AGENT = "AGENT", _("Enterprise agent")
    APPROVER = "APPROVER", _("Approver")
    AUTHORITY_ADMIN = "AUTHORITY_ADMIN", _("Authority administrator")
    EDITOR = "EDITOR", _("Editor")
    MODERATOR = "MODERATOR", _("Moderator")
    REGULATOR = "REGULATOR", _("Regulator")
    SUPERUSER = "SUPERUSER", _("System administrator")


# Wagtail admin groups each back-office role belongs to.  "Editors" and
# "Moderators" are Wagtail's own; the others are created by a migration.
ROLE_GROUPS = {
    Role.APPROVER: "Approvers",
    Role.AUTHORITY_ADMIN: "Authority administrators",
    Role.REGULATOR: "Regulators",
    Role.EDITOR: "Editors",
    Role.MODERATOR: "Moderators",
}

ENTERPRISE_ROLES = {Role.OWNER, Role.AGENT}


def role_of(user) -> Role | None:
    """The one role a signed-in user holds, or None for visitors."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.SUPERUSER
    membership = getattr(user, "membership", None)
    if membership is not None:
        return Role.OWNER if membership.is_owner else Role.AGENT
    if seats_of(user):
        return Role.APPROVER
    if hasattr(user, "authority_admin"):
        return Role.AUTHORITY_ADMIN
    if hasattr(user, "regulator"):
        return Role.REGULATOR
    names = set(user.groups.values_list("name", flat=True))
    if ROLE_GROUPS[Role.MODERATOR] in names:
        return Role.MODERATOR
    if ROLE_GROUPS[Role.EDITOR] in names:
        return Role.EDITOR
    return None
