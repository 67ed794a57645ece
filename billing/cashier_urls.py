"""The cashier's pages (/cashier/): open checks, closed checks, the cash drawer."""

from django.urls import path  # noqa: F401  (the pages add their paths here)

app_name = "cashier"

urlpatterns: list = []
