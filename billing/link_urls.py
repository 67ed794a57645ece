"""Public pages, no sign-in: the guest's receipt behind a QR code (mounted at /r/)."""

from django.urls import path

from billing.views.receipt_link import receipt_link, receipt_link_qr

urlpatterns = [
    path("<str:token>/", receipt_link, name="receipt-link"),
    path("<str:token>/qr.svg", receipt_link_qr, name="receipt-link-qr"),
]
