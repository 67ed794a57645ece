from django.urls import path

from kitchen import api

urlpatterns = [
    path("stations/", api.StationsView.as_view(), name="kitchen-stations"),
    path("stations/<int:station_id>/board/", api.StationBoardView.as_view(), name="kitchen-board"),
    path("stations/<int:station_id>/changes/", api.StationChangesView.as_view(), name="kitchen-changes"),
    path("stations/<int:station_id>/recall-last/", api.RecallLastView.as_view(), name="kitchen-recall-last"),
    path("stations/<int:station_id>/sold-out/", api.StationSoldOutView.as_view(), name="kitchen-sold-out"),
    path(
        "stations/<int:station_id>/items/<int:item_id>/availability/",
        api.StationItemAvailabilityView.as_view(),
        name="kitchen-item-availability",
    ),
    path("stations/<int:station_id>/pairing-codes/", api.PairingCodeView.as_view(), name="kitchen-pairing-code"),
    path("tickets/<int:ticket_id>/start/", api.TicketActionView.as_view(action="start"), name="ticket-start"),
    path("tickets/<int:ticket_id>/bump/", api.TicketActionView.as_view(action="bump"), name="ticket-bump"),
    path("tickets/<int:ticket_id>/recall/", api.TicketActionView.as_view(action="recall"), name="ticket-recall"),
    path("tickets/<int:ticket_id>/rush/", api.TicketRushView.as_view(), name="ticket-rush"),
    path("tickets/<int:ticket_id>/reprint/", api.TicketReprintView.as_view(), name="ticket-reprint"),
    path("ticket-items/<int:item_id>/start/", api.TicketItemActionView.as_view(action="start"), name="item-start"),
    path("ticket-items/<int:item_id>/ready/", api.TicketItemActionView.as_view(action="ready"), name="item-ready"),
    path("fires/<int:fire_id>/bump/", api.FireBumpView.as_view(), name="fire-bump"),
    path("fires/<int:fire_id>/recall/", api.FireRecallView.as_view(), name="fire-recall"),
    path("orders/<int:order_id>/fire/", api.OrderFireView.as_view(), name="order-fire"),
    path("orders/<int:order_id>/rush/", api.OrderRushView.as_view(), name="order-rush"),
    path("orders/<int:order_id>/fires/", api.OrderFiresView.as_view(), name="order-fires"),
    path("ready/", api.ReadyView.as_view(), name="kitchen-ready"),
    path("displays/pair/", api.PairDisplayView.as_view(), name="display-pair"),
    path("displays/me/", api.CurrentDisplayView.as_view(), name="display-me"),
    path("displays/<int:display_id>/unpair/", api.UnpairDisplayView.as_view(), name="display-unpair"),
]
