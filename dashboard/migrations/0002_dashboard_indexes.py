"""Dashboard: the pending-case figures that correction rates need, and ranking indexes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="review_pending",
            field=models.IntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="report",
            name="lit_pending",
            field=models.IntegerField(blank=True, null=True),
        ),
    ]
