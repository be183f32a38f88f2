"""Invitation moved to the institutions app with its table (institutions 0001): state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_invitation_revoked_by"),
        ("institutions", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Invitation")]),
    ]
