"""A deleted document takes its file with it, however the row goes (the service, the Django
admin, an account deleted with its documents): a passport scan must not outlive its record."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Document


@receiver(post_delete, sender=Document)
def delete_document_file(sender, instance: Document, **kwargs) -> None:
    storage, name = instance.file.storage, instance.file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))
