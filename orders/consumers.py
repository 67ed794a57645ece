"""The waiter's live floor: table states, 86'd items and order changes of one outlet.

Tablets only listen here; every command goes through the REST API.
"""

import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from orders.broadcasts import floor_group, waiter_group
from orders.services import FLOOR_ROLES
from tables.models import Outlet

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


class FloorConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        # Accept, then close with a code: a refusal before accepting reaches the
        # browser as a bare failure, and the tablet could not tell "sign in again"
        # from "not allowed".
        if user is None or not user.is_authenticated:
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.outlet_id = self.scope["url_route"]["kwargs"]["outlet_id"]
        if not await self._may_watch(user, self.outlet_id):
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = floor_group(self.outlet_id)
        self.own_group = waiter_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.channel_layer.group_add(self.own_group, self.channel_name)
        await self.accept()

    @database_sync_to_async
    def _may_watch(self, user, outlet_id: int) -> bool:
        return user.has_role(*FLOOR_ROLES) and Outlet.objects.filter(pk=outlet_id, is_active=True).exists()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            try:
                await self.channel_layer.group_discard(self.group, self.channel_name)
                await self.channel_layer.group_discard(self.own_group, self.channel_name)
            except Exception:  # Redis down: its subscriptions went with it
                logger.warning("Could not leave the floor groups on disconnect", exc_info=True)

    async def receive_json(self, content, **kwargs):
        # Listen-only socket: answer pings so tablets can tell a dead link from a quiet floor.
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def floor_relay(self, event):
        # Higher apps (billing) tell the tablets their own news through the floor socket.
        await self.send_json(event["message"])

    async def floor_table(self, event):
        await self.send_json({"type": "table", "table": event["table"]})

    async def floor_item(self, event):
        await self.send_json({"type": "item", "item": event["item"]})

    async def floor_modifier(self, event):
        await self.send_json({"type": "modifier", "modifier": event["modifier"]})

    async def floor_order(self, event):
        await self.send_json({"type": "order", "order": event["order"]})

    async def kitchen_ready(self, event):
        # The kitchen calls this waiter: an order (or a course) of theirs is ready at the pass.
        await self.send_json({"type": "ready", "fire": event["fire"]})
