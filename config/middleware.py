"""Refusing request bodies larger than any page needs, before Django reads them.

Django spools an upload to a temporary file before any view can look at its size, so without
this a multi-gigabyte POST would fill the disk before the document vault refuses it.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            detail = f"This request is too large: at most {filesizeformat(settings.DOCUMENT_MAX_BYTES)} per document."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": detail}, status=413)
            return render(request, "413.html", {"detail": detail}, status=413)
        return self.get_response(request)
