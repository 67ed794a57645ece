"""The manager's pages of billing: the day report (X so far, Z once closed), the close of day wizard, the cash drawers."""

from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("day/", views.day_report, name="day-report"),
    path("day/close/", views.close_day, name="day-close"),
    path("day/close/<slug:action>/", views.close_action, name="day-close-action"),
    path("day/<str:date>/closed/", views.day_closed, name="day-closed"),
    path("day/<str:date>/z.pdf", views.z_pdf, name="day-z-pdf"),
    path("day/<str:date>/", views.day_report, name="day-report-date"),
    path("drawers/", views.manager_drawers_page, name="drawers"),
]
