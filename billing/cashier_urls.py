"""The cashier's pages (/cashier/): open checks, closed checks, the cash drawer."""

from django.urls import path

from billing import views

app_name = "cashier"

urlpatterns = [
    path("", views.open_checks, name="checks"),
    path("closed/", views.closed_checks, name="closed"),
    path("drawer/", views.cashier_drawer_page, name="drawer"),
]
