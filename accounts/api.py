"""REST API of the accounts app."""

from rest_framework import serializers
from rest_framework.generics import RetrieveAPIView

from .models import User


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "role"]
        read_only_fields = fields


class MeView(RetrieveAPIView):
    """The logged-in user's own account."""

    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user
