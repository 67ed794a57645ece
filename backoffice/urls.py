from django.urls import path

from backoffice import allergen_views, views

app_name = "manager"

urlpatterns = [
    path("", views.home, name="home"),
    path("menu/allergens/", allergen_views.allergen_matrix, name="allergens"),
    path("menu/allergens/card/", allergen_views.allergen_card, name="allergen-card"),
]
