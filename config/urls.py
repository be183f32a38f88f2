"""The site's URLs: each app's pages, allauth, the admin behind allauth's login, and the API schema."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.csp import CSP
from django.utils.functional import lazy
from django.views.decorators.csp import csp_override
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import dashboards
from config.views import healthz, readyz

# Swagger UI (served from the sidecar package, never a CDN) applies one inline style of its own;
# that exact style, by its hash, is allowed on this page only. Scripts stay 'self' only.
api_docs_view = csp_override({
    **settings.SECURE_CSP,
    "style-src": [CSP.SELF, "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"],
})(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))

# The admin's own login form would bypass allauth's rate limits and e-mail verification.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Rotamatch administration"
admin.site.site_title = "Rotamatch admin"

urlpatterns = [
    path("", dashboards.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("config.dashboards")),
    path("", include("config.views_figures")),
    path("", include("institutions.urls")),
    path("", include("notifications.urls")),
    path("", include("applicants.urls")),
    path("", include("rotations.urls")),
    path("", include("matching.urls")),
    path("", include("preceptors.urls")),
    path("api/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs_view, name="api-docs"),
    # Lazy: the hashed name of the collected file is known only once static files are collected.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True)),
]
