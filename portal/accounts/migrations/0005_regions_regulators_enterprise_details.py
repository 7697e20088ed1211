"""Regulators at every level: a region instead of a province, a read right per module,
an on/off switch; enterprises keep their division code (USCC characters 3-8) for the
regions' ranges, plus the details the export drug archive and the drug permit ask for."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models
from django.db.models.functions import Substr


def backfill_division_codes(apps, schema_editor):
    Enterprise = apps.get_model("accounts", "Enterprise")
    Enterprise.objects.update(division_code=Substr("uscc", 3, 6))


def map_jurisdictions(apps, schema_editor):
    # A jurisdiction was a province's GB/T 2260 code; reference.0004 created those regions.
    Regulator = apps.get_model("accounts", "Regulator")
    Region = apps.get_model("reference", "Region")
    regions = {r.code: r.pk for r in Region.objects.all()}
    for regulator in Regulator.objects.all():
        region_id = regions.get(regulator.jurisdiction) or regions.get(
            regulator.jurisdiction[:2] + "0000"
        )
        if region_id is None:
            raise RuntimeError(
                f"regulator {regulator.pk}: no region for jurisdiction {regulator.jurisdiction!r}"
            )
        Regulator.objects.filter(pk=regulator.pk).update(region_id=region_id)


def map_regions_back(apps, schema_editor):
    Regulator = apps.get_model("accounts", "Regulator")
    for regulator in Regulator.objects.select_related("region"):
        code = regulator.region.code[:2] + "0000"
        Regulator.objects.filter(pk=regulator.pk).update(
            jurisdiction="110000" if code == "000000" else code
        )


def region_rights(apps, schema_editor):
    """Editors and moderators keep the region list, under moderation, like other lists."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    ct, _ = ContentType.objects.get_or_create(app_label="reference", model="region")
    for action in ("publish", "lock", "unlock"):
        Permission.objects.get_or_create(
            content_type=ct, codename=f"{action}_region", defaults={"name": f"Can {action} region"}
        )
    perms = {p.codename: p for p in Permission.objects.filter(content_type=ct)}
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.add(perms["add_region"], perms["change_region"])
    moderators = Group.objects.filter(name="Moderators").first()
    if moderators is not None:
        moderators.permissions.add(
            *(
                perms[f"{a}_region"]
                for a in ("add", "change", "delete", "publish", "lock", "unlock")
            )
        )
    workflow = Workflow.objects.filter(name="Moderators approval", active=True).first()
    if workflow is not None:
        WorkflowContentType.objects.get_or_create(content_type=ct, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_approver_seats_per_system"),
        ("reference", "0004_region"),
        ("wagtailcore", "0098_apitoken"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="enterprise",
            name="division_code",
            field=models.CharField(
                db_index=True,
                default="",
                editable=False,
                max_length=6,
                verbose_name="administrative division code",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(backfill_division_codes, migrations.RunPython.noop),
        migrations.AddField(
            model_name="enterprise",
            name="address_en",
            field=models.CharField(
                blank=True,
                help_text="As on the foreign-trade operator record; filled into drug permits.",
                max_length=300,
                verbose_name="address (English)",
            ),
        ),
        migrations.AddField(
            model_name="enterprise",
            name="legal_representative",
            field=models.CharField(blank=True, max_length=50, verbose_name="legal representative"),
        ),
        migrations.AddField(
            model_name="enterprise",
            name="drug_manufacturing_licence",
            field=models.CharField(
                blank=True, max_length=50, verbose_name="drug manufacturing licence number"
            ),
        ),
        migrations.AddField(
            model_name="enterprise",
            name="production_address",
            field=models.CharField(blank=True, max_length=300, verbose_name="production address"),
        ),
        migrations.AlterModelOptions(
            name="regulator",
            options={"verbose_name": "regulator", "verbose_name_plural": "regulators"},
        ),
        migrations.AddField(
            model_name="regulator",
            name="is_active",
            field=models.BooleanField(default=True, verbose_name="active"),
        ),
        migrations.AddField(
            model_name="regulator",
            name="region",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="regulators",
                to="reference.region",
                verbose_name="jurisdiction",
            ),
        ),
        migrations.RunPython(map_jurisdictions, map_regions_back),
        migrations.AlterField(
            model_name="regulator",
            name="region",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="regulators",
                to="reference.region",
                verbose_name="jurisdiction",
            ),
        ),
        migrations.RemoveField(model_name="regulator", name="jurisdiction"),
        migrations.CreateModel(
            name="RegulatorGrant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "module",
                    models.CharField(
                        choices=[
                            ("DRUG_PERMIT", "Drug import/export permit"),
                            ("AV_IMPORT", "Audio-video product import"),
                            ("AUTO_IMPORT_LICENCE", "Automatic import licence"),
                            ("EXPORT_DRUG_ARCHIVE", "Export drug archive"),
                        ],
                        max_length=30,
                        verbose_name="module",
                    ),
                ),
                ("granted_at", models.DateTimeField(auto_now_add=True, verbose_name="granted")),
                (
                    "granted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="granted by",
                    ),
                ),
                (
                    "regulator",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="grants",
                        to="accounts.regulator",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("regulator", "module"), name="one_regulator_grant_per_module"
                    )
                ],
            },
        ),
        migrations.RunPython(region_rights, migrations.RunPython.noop),
    ]
