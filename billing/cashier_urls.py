"""The cashier's pages (/cashier/): open checks, closed checks, the cash drawer."""

from django.urls import path

from billing import views

app_name = "cashier"

urlpatterns: list = [
    path("drawer/", views.cashier_drawer_page, name="drawer"),
]
