"""Listings sit in a state, DC or an inhabited territory; demo listings carry a key of their own.

Demo rows seeded before this migration get their key here: per demo title, the oldest listing of
the two demo institutions, so a coordinator's later listing with the same title stays theirs.
"""

import localflavor.us.models

import rotations.choices
from django.db import migrations, models


DEMO_TITLES = [  # the titles rotations/demo.py seeded under (institution, title) until now
    "Internal Medicine Observership", "Family Medicine Hands-on Externship", "Pediatrics Clinical Elective",
    "Cardiology Research Rotation", "Psychiatry Observership", "Emergency Medicine Sub-internship",
]
DEMO_INSTITUTIONS = ["Brookside Community Hospital", "Lakeside University Medical Center"]


def key_demo_rows(apps, schema_editor):
    from django.utils.text import slugify

    Listing = apps.get_model("rotations", "Listing")
    for title in DEMO_TITLES:
        oldest = (Listing.objects.filter(title=title, institution__name__in=DEMO_INSTITUTIONS)
                  .order_by("id").first())
        if oldest is not None:
            Listing.objects.filter(pk=oldest.pk).update(demo_key=slugify(title))


class Migration(migrations.Migration):

    dependencies = [
        ('institutions', '0001_initial'),
        ('rotations', '0007_institution_moved_to_institutions'),
    ]

    operations = [
        migrations.AddField(
            model_name='listing',
            name='demo_key',
            field=models.CharField(blank=True, default='', editable=False, max_length=40),
        ),
        migrations.AlterField(
            model_name='listing',
            name='state',
            field=localflavor.us.models.USStateField(max_length=2, validators=[rotations.choices.validate_listing_place]),
        ),
        migrations.AddConstraint(
            model_name='listing',
            constraint=models.UniqueConstraint(condition=models.Q(('demo_key', ''), _negated=True), fields=('demo_key',), name='listing_demo_key_once'),
        ),
        migrations.RunPython(key_demo_rows, migrations.RunPython.noop),
    ]
