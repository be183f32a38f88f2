"""Listings now name institutions.Institution and institutions.Preceptor (the same tables, renamed
by institutions 0001): Django's picture changes, the database does not."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("institutions", "0001_initial"),
        ("rotations", "0005_refuse_direction_controls"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name="listing",
                name="institution",
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="listings",
                                        to="institutions.institution"),
            ),
            migrations.AlterField(
                model_name="listing",
                name="preceptors",
                field=models.ManyToManyField(blank=True, related_name="listings", to="institutions.preceptor"),
            ),
        ]),
    ]
