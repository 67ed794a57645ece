from django.urls import path

from orders import allergen_api, api

urlpatterns = [
    path("outlets/<int:outlet_id>/floor/", api.FloorView.as_view(), name="floor"),
    path("outlets/<int:outlet_id>/menu/", api.MenuView.as_view(), name="menu"),
    path("outlets/<int:outlet_id>/sold-out/", api.SoldOutBoardView.as_view(), name="sold-out-board"),
    path("orders/", api.OrderListView.as_view(), name="orders"),
    path("orders/<int:order_id>/", api.OrderDetailView.as_view(), name="order"),
    path("orders/<int:order_id>/lines/", api.OrderLinesView.as_view(), name="order-lines"),
    path("orders/<int:order_id>/lines/batch/", api.OrderLinesBatchView.as_view(), name="order-lines-batch"),
    path("orders/<int:order_id>/lines/<int:line_id>/", api.OrderLineView.as_view(), name="order-line"),
    path("orders/<int:order_id>/lines/<int:line_id>/note/", api.SentLineNoteView.as_view(), name="line-note"),
    path("orders/<int:order_id>/lines/<int:line_id>/void/", api.VoidLineView.as_view(), name="void-line"),
    path("orders/<int:order_id>/send/", api.SendView.as_view(), name="send"),
    path("orders/<int:order_id>/serve/", api.ServeView.as_view(), name="serve"),
    path("orders/<int:order_id>/transfer/", api.TransferView.as_view(), name="transfer"),
    path("orders/<int:order_id>/merge/", api.MergeView.as_view(), name="merge"),
    path("orders/<int:order_id>/assign/", api.AssignView.as_view(), name="assign"),
    path("orders/<int:order_id>/covers/", api.CoversView.as_view(), name="covers"),
    path("items/<int:item_id>/availability/", api.ItemAvailabilityView.as_view(), name="item-availability"),
    path(
        "modifiers/<int:modifier_id>/availability/",
        api.ModifierAvailabilityView.as_view(),
        name="modifier-availability",
    ),
    path("menu/allergens/", allergen_api.AllergenMatrixView.as_view(), name="allergen-matrix"),
]
