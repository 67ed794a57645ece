from django.urls import path

from kitchen.consumers import StationConsumer
from orders.consumers import FloorConsumer

websocket_urlpatterns = [
    path("ws/outlets/<int:outlet_id>/floor/", FloorConsumer.as_asgi()),
    path("ws/kitchen/stations/<int:station_id>/", StationConsumer.as_asgi()),
]
