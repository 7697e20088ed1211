from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password-changed"),
        ),
        name="password-change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_changed.html"),
        name="password-changed",
    ),
    path("second-factor/", views.second_factor_verify, name="second-factor"),
    path("second-factor/enrol/", views.second_factor_enrol, name="second-factor-enrol"),
    path("register/", views.register, name="register"),
    path("home/", views.home, name="home"),
    path("workspace/", views.workspace, name="workspace"),
    path("enterprise/", views.profile, name="profile"),
    path("agents/", views.agents, name="agents"),
    path("agents/<int:membership_id>/modules/", views.agent_modules, name="agent-modules"),
    path("agents/<int:membership_id>/active/", views.agent_active, name="agent-active"),
    path(
        "invitations/<int:invitation_id>/cancel/",
        views.invitation_cancel,
        name="invitation-cancel",
    ),
    path("invitations/<str:token>/", views.accept_invitation, name="accept-invitation"),
]
