"""Institution and Coordinator moved to the institutions app with their tables (institutions 0001):
state only, once nothing in Django's picture refers to them here any more."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_invitation_moved_to_institutions"),
        ("preceptors", "0002_preceptor_moved_to_institutions"),
        ("rotations", "0006_listing_refers_to_institutions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name="Coordinator"),
            migrations.DeleteModel(name="Institution"),
        ]),
    ]
