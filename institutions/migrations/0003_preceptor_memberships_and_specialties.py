"""Every existing preceptor teaches at its home institution; free-text specialties become codes.

A specialty that matches none of the controlled list (by code or label, ignoring case) is
cleared rather than guessed; verified preceptors get the `verified` status.
"""

from django.db import migrations

from core.specialties import Specialty


def forwards(apps, schema_editor):
    Preceptor = apps.get_model("institutions", "Preceptor")
    Membership = apps.get_model("institutions", "PreceptorMembership")
    by_words = {label.lower(): code for code, label in Specialty.choices}
    by_words.update({code: code for code in Specialty.values})
    for preceptor in Preceptor.objects.all():
        Membership.objects.get_or_create(preceptor_id=preceptor.pk, institution_id=preceptor.institution_id,
                                         defaults={"confirmed_at": preceptor.created_at})
        code = by_words.get(preceptor.specialty.strip().lower(), "")
        status = "verified" if preceptor.verified_at else "unverified"
        Preceptor.objects.filter(pk=preceptor.pk).update(specialty=code, status=status)


class Migration(migrations.Migration):
    dependencies = [("institutions", "0002_preceptor_profiles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
