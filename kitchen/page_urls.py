from django.urls import path

from kitchen import views

app_name = "kitchen"

urlpatterns = [
    path("", views.screen, name="screen"),
    path("stations/", views.stations, name="stations"),
]
