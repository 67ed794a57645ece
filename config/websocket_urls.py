from channels.security.websocket import WebsocketDenier
from django.urls import path, re_path

from kitchen.consumers import StationConsumer
from orders.consumers import FloorConsumer

websocket_urlpatterns = [
    path("ws/outlets/<int:outlet_id>/floor/", FloorConsumer.as_asgi()),
    path("ws/kitchen/stations/<int:station_id>/", StationConsumer.as_asgi()),
    # Any other path is refused at the handshake (403); without this route channels
    # raises "No route found" and daphne answers 500 with a traceback.
    re_path(r"^", WebsocketDenier.as_asgi()),
]
