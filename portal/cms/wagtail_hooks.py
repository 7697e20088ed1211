"""Editors answer the enterprises' questions and feedback (咨询与反馈) in the admin."""

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.generic import EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from portal.admin_columns import DataColumnsMixin

from . import services
from .models import Feedback


class FeedbackFilterSet(WagtailFilterSet):
    answered = django_filters.BooleanFilter(
        field_name="answered_at", lookup_expr="isnull", exclude=True, label=_("Answered")
    )

    class Meta:
        model = Feedback
        fields = ["module"]


class FeedbackIndexView(DataColumnsMixin, IndexView):
    data_columns = ("subject", "enterprise")


class AnswerView(EditView):
    """Only the answer is editable; who answered and when are set by the service."""

    def save_instance(self):
        # Wagtail's EditView.form_valid already runs this in its transaction (the view's
        # top-level one): the service's body joins it rather than nesting a durable block.
        return services.answer_feedback.within(
            editor=self.request.user, feedback=self.object, answer=self.form.cleaned_data["answer"]
        )


class FeedbackViewSet(ModelViewSet):
    model = Feedback
    icon = "help"
    menu_label = _("Questions and feedback")
    menu_order = 310
    add_to_admin_menu = True
    copy_view_enabled = False
    index_view_class = FeedbackIndexView
    edit_view_class = AnswerView
    form_fields = ["answer"]
    list_display = ["subject", "enterprise", "module", "created_at", "answered_at"]
    filterset_class = FeedbackFilterSet
    search_fields = ["subject", "body"]
    inspect_view_enabled = True


feedback_viewset = FeedbackViewSet("feedback")


@hooks.register("register_admin_viewset")
def register_feedback():
    return feedback_viewset
