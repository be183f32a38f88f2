"""Preceptor moved to the institutions app with its table (institutions 0001): state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("institutions", "0001_initial"),
        ("preceptors", "0001_initial"),
        ("rotations", "0006_listing_refers_to_institutions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Preceptor")]),
    ]
