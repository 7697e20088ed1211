from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("auto_licences", "0003_keyagriculturalfiling"),
    ]

    operations = [
        migrations.AlterField(
            model_name="autolicenceapplication",
            name="bureau_number",
            field=models.CharField(
                blank=True, db_index=True, max_length=24, verbose_name="bureau application number"
            ),
        ),
    ]
