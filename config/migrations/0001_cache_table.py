"""The PostgreSQL table the cache falls back to while Redis is unreachable (config/cache.py).

allauth's rate limits on login, sign-up and password reset count there during an outage, so
every place that migrates must have it; `createcachetable` makes the tables that CACHES names
and leaves an existing one alone.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
