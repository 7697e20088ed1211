"""Feedback (咨询与反馈): an enterprise asks, the editors are told, an editor answers and
the enterprise user is told in their language."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.accounts.roles import ROLE_GROUPS, Role
from portal.languages import preferred_language
from portal.transactions import top_level

from .models import Feedback


def _editors():
    names = [ROLE_GROUPS[Role.EDITOR], ROLE_GROUPS[Role.MODERATOR]]
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=names)
        .exclude(email="")
        .distinct()
    )


@top_level
def submit_feedback(*, user, subject: str, body: str, module: str = "") -> Feedback:
    membership = getattr(user, "membership", None)
    if membership is None or not membership.is_active:
        raise PermissionDenied
    subject, body = subject.strip(), body.strip()
    errors = {}
    if not subject:
        errors["subject"] = _("Enter a subject.")
    if not body:
        errors["body"] = _("Describe your question or problem.")
    if errors:
        raise ValidationError(errors)
    feedback = Feedback.objects.create(
        enterprise_id=membership.enterprise_id, user=user, module=module, subject=subject, body=body
    )
    addresses = list(_editors().values_list("email", flat=True))
    if addresses:
        transaction.on_commit(
            lambda: send_mail(
                subject=f"[单一窗口] 新的咨询与反馈：{feedback.subject}",
                message=f"{membership.enterprise.name_zh}：\n\n{feedback.body}",
                from_email=None,
                recipient_list=addresses,
            )
        )
    return feedback


def may_answer(user) -> bool:
    return (
        user.is_superuser
        or user.groups.filter(
            name__in=[ROLE_GROUPS[Role.EDITOR], ROLE_GROUPS[Role.MODERATOR]]
        ).exists()
    )


@top_level
def answer_feedback(*, editor, feedback: Feedback, answer: str) -> Feedback:
    if not may_answer(editor):
        raise PermissionDenied
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Enter the answer.")})
    feedback.answer = answer
    feedback.answered_by = editor
    feedback.answered_at = timezone.now()
    feedback.save(update_fields=["answer", "answered_by", "answered_at"])
    asker = feedback.user
    if asker.email:
        language = preferred_language(asker)

        def mail():
            with translation.override(language):
                send_mail(
                    subject=_("Your question was answered: %(subject)s")
                    % {"subject": feedback.subject},
                    message=feedback.answer,
                    from_email=None,
                    recipient_list=[asker.email],
                )

        transaction.on_commit(mail)
    return feedback
