"""Preceptors: the physicians who supervise rotations and write letters."""

from django.conf import settings
from django.db import models


class Preceptor(models.Model):
    """A supervising physician; `user` is empty for one who answers letter links without an account."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="preceptor")
    institution = models.ForeignKey("rotations.Institution", on_delete=models.PROTECT,
                                    related_name="preceptors")
    full_name = models.CharField(max_length=200)
    email = models.EmailField("e-mail address")
    credentials = models.CharField(max_length=50, blank=True, help_text="For example MD, DO, FACP.")
    specialty = models.CharField(max_length=100, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["full_name"]

    def __str__(self):
        return f"{self.full_name}, {self.credentials}" if self.credentials else self.full_name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None
