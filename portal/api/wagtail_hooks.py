from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem


@hooks.register("register_admin_menu_item")
def api_tokens_menu_item():
    return MenuItem(_("API tokens"), reverse_lazy("api_tokens:list"), icon_name="key", order=9000)
