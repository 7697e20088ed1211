from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.mark_read, name="read"),
    path("subscriptions/", views.subscriptions, name="subscriptions"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/test/", views.webhook_test, name="webhook-test"),
    path("webhooks/dead/", views.dead_deliveries, name="webhook-dead"),
    path("webhooks/dead/resend/", views.resend_dead_deliveries, name="webhook-resend"),
]
