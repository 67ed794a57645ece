from django.urls import path

from backoffice import views

app_name = "manager"

urlpatterns = [
    path("", views.home, name="home"),
]
