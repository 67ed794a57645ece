from django.urls import path

from kitchen import views

app_name = "kitchen"

urlpatterns = [
    path("", views.screen, name="screen"),
    path("stations/", views.stations, name="stations"),
    path("stations/<int:station_id>/", views.station_screen, name="station"),
    path("86/", views.sold_out, name="sold-out"),
]
