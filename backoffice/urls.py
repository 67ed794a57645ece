from django.urls import path

from backoffice import report_views, views

app_name = "manager"

urlpatterns = [
    path("", views.home, name="home"),
    # Reports
    path("reports/", report_views.reports_index, name="reports"),
    path("reports/<slug:key>/", report_views.report_page, name="report"),
    path("reports/<slug:key>/csv/", report_views.report_csv, name="report-csv"),
]
