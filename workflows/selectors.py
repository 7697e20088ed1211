from django.db.models import QuerySet

from portal.reference.models import Authority

from .models import ApprovalSettings


def authority_of(user) -> Authority | None:
    """The authority a back-office user works for: through a seat or as its administrator."""
    for relation in ("approver_seat", "authority_admin"):
        holder = getattr(user, relation, None)
        if holder is not None:
            return holder.authority
    return None


def approval_settings(*, authority: Authority, module: str) -> ApprovalSettings | None:
    return ApprovalSettings.objects.filter(authority=authority, module=module).first()


def authorities_accepting(*, module: str) -> QuerySet[Authority]:
    """Authorities enterprises may file to: live, and with their settings saved."""
    return Authority.objects.live().filter(approval_settings__module=module).order_by("code")
