"""The front desk's pages: postings and the link, guests in house, a printable folio."""

from django.urls import path

from pms_integration import views

app_name = "frontdesk"

urlpatterns = [
    path("", views.front_desk, name="home"),
    path("stays/<int:stay_id>/folio/", views.folio, name="folio"),
]
