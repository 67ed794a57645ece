from django.urls import path

from backoffice import pricing_views, views

app_name = "manager"

urlpatterns = [
    path("", views.home, name="home"),
    # Prices, and the menu in and out (pricing_views)
    path("prices/", pricing_views.prices, name="prices"),
    path("prices/lists/<int:price_list_id>/cancel/", pricing_views.cancel_price_list, name="cancel-price-list"),
    path("prices/happy-hours/<int:happy_hour_id>/remove/", pricing_views.remove_happy_hour, name="remove-happy-hour"),
    path("menu-transfer/", pricing_views.menu_transfer, name="menu-transfer"),
    path("menu-transfer/export/<int:outlet_id>/", pricing_views.export_menu, name="export-menu"),
]
