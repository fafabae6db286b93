from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cee_portal.landing import home
from cee_portal.operations.errors import server_error
from cee_portal.operations.health import healthz
from cee_portal.users.views import PortalLoginView, PortalPasswordResetConfirmView

# The API docs page: its set-up script is served as a file (the split view) and Swagger UI's own
# files by the site itself (drf-spectacular-sidecar), so the page runs under the site's CSP unchanged.
API_DOCS_VIEW = SpectacularSwaggerSplitView.as_view(url_name="api-schema")

# A bug answers the friendly page (pages) or the JSON error body (the API), never a traceback.
handler500 = server_error

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
    # The REST API: one package per app (docs/architecture.md).
    path("api/v1/", include("importers.api.urls")),
    path("api/v1/", include("cases.api.urls")),
]
