"""The manager's pages of billing: the day report (X so far, Z once closed), the cash drawers."""

from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("day/", views.day_report, name="day-report"),
    path("day/close/", views.close_day, name="day-close"),
    path("day/<str:date>/", views.day_report, name="day-report-date"),
    path("drawers/", views.manager_drawers_page, name="drawers"),
]
