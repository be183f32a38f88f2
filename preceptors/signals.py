"""A deleted letter version takes its file with it, however the row goes (an admin's removal, the
Django admin, an applicant's account deleted): a letter must not outlive its record."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import LetterVersion


@receiver(post_delete, sender=LetterVersion)
def delete_letter_file(sender, instance: LetterVersion, **kwargs) -> None:
    storage, name = instance.file.storage, instance.file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))
