from django.urls import path

from printing import views

app_name = "printing"

urlpatterns = [
    path("printers/", views.printers, name="printers"),
]
