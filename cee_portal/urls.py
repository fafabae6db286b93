from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cee_portal.landing import home
from cee_portal.operations.health import healthz
from cee_portal.users.views import PortalLoginView, PortalPasswordResetConfirmView

# The API docs page: its set-up script is served as a file (the split view), so no inline script is
# needed; Swagger UI's own files still come from drf-spectacular's CDN, which only this page allows.
_CDN = "https://cdn.jsdelivr.net"
API_DOCS_VIEW = csp_override(
    {
        **settings.SECURE_CSP,
        "script-src": [*settings.SECURE_CSP["script-src"], _CDN],
        "style-src": [*settings.SECURE_CSP["style-src"], _CDN],
        "img-src": [*settings.SECURE_CSP["img-src"], _CDN],
    }
)(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    # One sign-in page for every role; the rest of Django's auth views (sign-out, password change and
    # reset) keep their names and URLs under /accounts/.
    path("accounts/login/", PortalLoginView.as_view(), name="login"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        PortalPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # The CBP staff workspace (queue, and in time cases, entries, accounts, dashboards).
    path("", include("web.staff.urls")),
    # The importer and broker portal.
    path("portal/", include("web.portal.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", API_DOCS_VIEW, name="api-docs"),
]
