from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/staff/", include("staff.urls")),
    path("api/", include("tables.urls")),
    path("api/", include("orders.urls")),
    path("api/kitchen/", include("kitchen.urls")),
    path("api/billing/", include("billing.urls")),
    path("api/printing/", include("printing.urls")),
    path("api/pms/", include("pms_integration.urls")),
    path("frontdesk/", include("pms_integration.page_urls")),
    path("manager/", include("backoffice.urls")),
    path("manager/", include("printing.page_urls")),
    path("manager/", include("billing.page_urls")),
    path("cashier/", include("billing.cashier_urls")),
    path("r/", include("billing.link_urls")),
    path("kitchen/", include("kitchen.page_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("waiter.urls")),
]
