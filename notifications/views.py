"""The enterprise's notification centre, subscriptions (状态推送) and webhooks: one for
every filing system."""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from filings import registry
from filings.selectors import any_filings_for_filer, filer_membership
from portal.accounts.views import enterprise_required
from portal.filters import PortalFilterSet, date_from_filter, date_to_filter
from portal.pagination import paginate

from . import services
from .models import Channel, Notification, Subscription, WebhookDelivery, WebhookEndpoint


def _problem(request, problem: str) -> None:
    if problem:
        messages.warning(request, problem)


def _systems(user) -> list:
    """(key, label) of the systems ``user`` files in."""
    return [(s.key, s.label) for s in registry.all_systems() if filer_membership(user, s.key)]


class NotificationFilter(PortalFilterSet):
    system = django_filters.ChoiceFilter(
        field_name="event__system", label=_lazy("Filing system"), empty_label=_lazy("All")
    )

    class Meta(PortalFilterSet.Meta):
        model = Notification
        fields = ["system"]

    def __init__(self, *args, systems=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["system"].extra["choices"] = list(systems)


@enterprise_required()
def notification_list(request):
    """Every system's events in the reader's language, filtered by system."""
    qs = Notification.objects.filter(user=request.user).select_related("event")
    filterset = NotificationFilter(request.GET or None, queryset=qs, systems=_systems(request.user))
    page, problem = paginate(request, filterset.qs, ("-pk",), per_page=30)
    _problem(request, problem)
    return render(
        request,
        "notifications/list.html",
        {"page": page, "filterset": filterset, "problems": filterset.problems},
    )


@require_POST
@enterprise_required()
def mark_read(request):
    ids = request.POST.getlist("selected")
    count = services.mark_read(
        user=request.user, ids=None if request.POST.get("all") else [i for i in ids if i.isdigit()]
    )
    messages.success(request, _("Marked %(n)s as read.") % {"n": count})
    return redirect("notifications:list")


@enterprise_required()
def subscriptions(request):
    filings = any_filings_for_filer(request.user).exclude(status="DRAFT")
    posted = request.POST if request.method == "POST" else None
    if posted and posted.get("action") == "cancel":
        ids = [i for i in posted.getlist("selected") if i.isdigit()]
        if not ids:
            messages.error(request, _("Select at least one row."))
        else:
            count = services.cancel(user=request.user, ids=ids)
            messages.success(request, _("Cancelled %(n)s subscriptions.") % {"n": count})
        return redirect("notifications:subscriptions")
    systems = _systems(request.user)
    if posted:
        chosen = filings.filter(number__in=posted.getlist("applications"))
        scope = posted.get("scope", "")
        system = scope[len("system:") :] if scope.startswith("system:") else ""
        if system and system not in dict(systems):
            raise PermissionDenied
        try:
            created = services.subscribe(
                user=request.user,
                filings=list(chosen),
                all_filings=scope == "all" or bool(system),
                channels=posted.getlist("channels"),
                system=system,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Subscribed: %(n)s new records.") % {"n": len(created)})
            return redirect("notifications:subscriptions")
    number = request.GET.get("number", "").strip()[:32]
    choosable = filings.filter(number__icontains=number) if number else filings
    choices, problem = paginate(request, choosable, ("-created_at", "-pk"), per_page=50)
    records = Subscription.objects.filter(user=request.user).select_related("filing")
    records_page, records_problem = paginate(
        request, records, ("-created_at", "-pk"), per_page=50, prefix="records_"
    )
    _problem(request, problem or records_problem)
    return render(
        request,
        "notifications/subscriptions.html",
        {
            "applications": choices,
            "number": number,
            "channels": Channel.choices,
            "systems": systems,
            "records": records_page,
            "posted": posted,
        },
    )


def _owner(request):
    membership = request.membership
    if not membership.is_owner:
        raise PermissionDenied
    return membership


@enterprise_required()
def webhooks(request):
    membership = _owner(request)
    if request.method == "POST":
        try:
            endpoint = services.register_webhook(user=request.user, url=request.POST.get("url", ""))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Registered %(url)s. Verify each request's signature with its secret.")
                % {"url": endpoint.url},
            )
            return redirect("notifications:webhooks")
    endpoints = WebhookEndpoint.objects.filter(enterprise_id=membership.enterprise_id)
    deliveries = WebhookDelivery.objects.filter(endpoint__in=endpoints).select_related(
        "endpoint", "event"
    )
    page, problem = paginate(request, deliveries, ("-pk",), per_page=50)
    _problem(request, problem)
    return render(
        request,
        "notifications/webhooks.html",
        {
            "endpoints": endpoints,
            "deliveries": page,
            "url": request.POST.get("url", ""),
            "dead_count": services.dead_webhook_deliveries(request.user).count(),
        },
    )


class DeadDeliveryFilter(PortalFilterSet):
    endpoint = django_filters.ModelChoiceFilter(
        queryset=WebhookEndpoint.objects.none(), label=_lazy("Address"), empty_label=_lazy("All")
    )
    date_from = date_from_filter("last_attempt_at", _lazy("Last attempt from"))
    date_to = date_to_filter("last_attempt_at")

    class Meta(PortalFilterSet.Meta):
        model = WebhookDelivery
        fields = ["endpoint"]

    def __init__(self, *args, enterprise_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["endpoint"].queryset = WebhookEndpoint.objects.filter(
            enterprise_id=enterprise_id
        )


@enterprise_required()
def dead_deliveries(request):
    """The enterprise's webhook deliveries whose retries gave up, to send again."""
    membership = _owner(request)
    filterset = DeadDeliveryFilter(
        request.GET or None,
        queryset=services.dead_webhook_deliveries(request.user),
        enterprise_id=membership.enterprise_id,
    )
    page, problem = paginate(request, filterset.qs, ("-last_attempt_at", "-pk"), per_page=50)
    _problem(request, problem)
    return render(
        request,
        "notifications/webhook_dead.html",
        {"page": page, "filterset": filterset, "problems": filterset.problems},
    )


@require_POST
@enterprise_required()
def resend_dead_deliveries(request):
    """Send the chosen dead deliveries again (one row's button, or the ticked rows).

    Only the user's enterprise's dead deliveries go back in the queue; any other id is
    ignored and counted in the message."""
    _owner(request)
    one = request.POST.get("one", "")
    ids = [one] if one else request.POST.getlist("selected")
    # Row ids as posted by our form: ASCII digits of a sane length, at most a page or two.
    ids = [int(i) for i in ids if i.isascii() and i.isdigit() and len(i) <= 18][:500]
    if not ids:
        messages.error(request, _("Select at least one row."))
        return redirect("notifications:webhook-dead")
    sent = services.resend_webhook_deliveries(user=request.user, ids=ids)
    if sent:
        messages.success(
            request,
            ngettext(
                "%(n)s delivery is queued to be sent again.",
                "%(n)s deliveries are queued to be sent again.",
                len(sent),
            )
            % {"n": len(sent)},
        )
    if len(sent) < len(set(ids)):
        messages.warning(
            request,
            _(
                "%(n)s of the chosen rows were not sent again: they are no longer dead "
                "letters of your enterprise."
            )
            % {"n": len(set(ids)) - len(sent)},
        )
    return redirect("notifications:webhook-dead")


@require_POST
@enterprise_required()
def webhook_test(request, pk: int):
    membership = _owner(request)
    endpoint = get_object_or_404(
        WebhookEndpoint.objects.filter(enterprise_id=membership.enterprise_id), pk=pk
    )
    services.send_test_event(user=request.user, endpoint=endpoint)
    messages.success(request, _("Test event queued; see the delivery log below."))
    return redirect("notifications:webhooks")
