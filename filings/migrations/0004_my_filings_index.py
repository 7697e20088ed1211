from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("filings", "0003_statistics_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="filing",
            index=models.Index(
                fields=["enterprise", "-created_at", "-id"], name="filing_enterprise_all"
            ),
        ),
    ]
