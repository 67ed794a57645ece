from django.urls import path

from staff import views

app_name = "manager"

urlpatterns = [
    path("", views.manager_home, name="home"),
]
