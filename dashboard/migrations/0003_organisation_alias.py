import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0002_dashboard_indexes"),
    ]

    operations = [
        migrations.RemoveField(model_name="organisation", name="aliases"),
        migrations.CreateModel(
            name="OrganisationAlias",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=300, unique=True)),
                ("created", models.DateTimeField(auto_now_add=True)),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="alias_rows",
                        to="dashboard.organisation",
                    ),
                ),
            ],
            options={"verbose_name": "单位别名", "verbose_name_plural": "单位别名"},
        ),
    ]
