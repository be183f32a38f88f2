"""Name the django.contrib.sites row that allauth puts into its e-mails."""

from urllib.parse import urlparse

from django.conf import settings
from django.db import migrations


def name_site(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    domain = urlparse(settings.SITE_URL).netloc or "rotamatch.test"
    Site.objects.update_or_create(id=settings.SITE_ID, defaults={"domain": domain, "name": "Rotamatch"})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial"), ("sites", "0002_alter_domain_unique")]
    operations = [migrations.RunPython(name_site, migrations.RunPython.noop)]
