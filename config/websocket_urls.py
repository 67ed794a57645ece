from django.urls import path

from orders.consumers import FloorConsumer

websocket_urlpatterns = [
    path("ws/outlets/<int:outlet_id>/floor/", FloorConsumer.as_asgi()),
]
