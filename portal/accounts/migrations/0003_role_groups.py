"""Back-office role groups, editors' rights on reference data, and moderation
of reference data through Wagtail's "Moderators approval" workflow."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REFERENCE_MODELS = [
    "authority",
    "customsdistrict",
    "port",
    "hscode",
    "dosageform",
    "country",
    "currency",
    "trademode",
    "purpose",
]
NEW_GROUPS = ["Approvers", "Authority administrators", "Regulators"]


def _ensure_permissions(apps):
    # Permissions are normally created after migrate finishes; this migration
    # needs them now, on a fresh database too.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def forwards(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")

    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    for name in NEW_GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)

    editors, _ = Group.objects.get_or_create(name="Editors")
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    editors.permissions.add(access_admin)
    moderators.permissions.add(access_admin)
    for model in REFERENCE_MODELS:
        ct = ContentType.objects.get(app_label="reference", model=model)
        # Wagtail adds these for draft-state / lockable snippets after migrate.
        for action in ("publish", "lock", "unlock"):
            Permission.objects.get_or_create(
                content_type=ct,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
        perms = {
            p.codename: p for p in Permission.objects.filter(content_type__app_label="reference")
        }
        editors.permissions.add(perms[f"add_{model}"], perms[f"change_{model}"])
        moderators.permissions.add(
            perms[f"add_{model}"],
            perms[f"change_{model}"],
            perms[f"delete_{model}"],
            perms[f"publish_{model}"],
            perms[f"lock_{model}"],
            perms[f"unlock_{model}"],
        )

    workflow = Workflow.objects.filter(name="Moderators approval", active=True).first()
    if workflow is None:
        Task = apps.get_model("wagtailcore", "GroupApprovalTask")
        WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
        task_ct, _ = ContentType.objects.get_or_create(
            app_label="wagtailcore", model="groupapprovaltask"
        )
        task = Task.objects.create(name="Moderators approval", content_type=task_ct, active=True)
        task.groups.set([moderators])
        workflow = Workflow.objects.create(name="Moderators approval", active=True)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    for model in REFERENCE_MODELS:
        ct, _ = ContentType.objects.get_or_create(app_label="reference", model=model)
        WorkflowContentType.objects.get_or_create(content_type=ct, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("reference", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
