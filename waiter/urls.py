from django.urls import path

from waiter import views

app_name = "waiter"

urlpatterns = [
    path("", views.sign_in, name="sign-in"),
    path("floor/", views.floor, name="floor"),
    path("orders/<int:order_id>/", views.order_screen, name="order"),
    path("orders/<int:order_id>/bill/", views.bill_screen, name="bill"),
]
