"""A kitchen screen's live feed: numbered ticket (or, on expo, order) changes of one station.

Only displays paired to the station, and cooks and managers signed in with a PIN, may
listen. Screens never command over the socket; they may ask to resync from a number.
Every few seconds a keep-alive carries the station's latest number from the database,
so a screen that missed a message (Redis down) asks for it without waiting for the next.
"""

import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.utils import timezone, translation

from kitchen import selectors
from kitchen.authentication import SESSION_KEY
from kitchen.broadcasts import station_group
from kitchen.models import KitchenDisplay, Station
from orders.consumers import KeepAliveConsumer
from staff.models import Role

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


class StationConsumer(KeepAliveConsumer):
    async def connect(self):
        self.station_id = self.scope["url_route"]["kwargs"]["station_id"]
        verdict = await self._verdict()
        # Accept, then close with a code, so the screen can tell "pair again" from "not yours".
        if verdict is not None:
            await self.accept()
            await self.close(code=verdict)
            return
        self.group = station_group(self.station_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        after = parse_qs(self.scope.get("query_string", b"").decode()).get("after", [""])[0]
        if after.isdigit():
            await self.send_json(await self._changes(int(after)))
        self.start_keepalive()

    @database_sync_to_async
    def _verdict(self) -> int | None:
        station = Station.objects.filter(pk=self.station_id).first()
        session = self.scope.get("session")
        display_id = session.get(SESSION_KEY) if session is not None else None
        if display_id:
            display = selectors.display_for_session(display_id)
            if display is None:
                return CLOSE_UNAUTHENTICATED
            if station is None or display.station_id != station.pk:
                return CLOSE_FORBIDDEN
            KitchenDisplay.objects.filter(pk=display.pk).update(last_seen_at=timezone.now())
            self.display_id = display.pk
            return None
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return CLOSE_UNAUTHENTICATED
        # A cook signed in with her PIN opens a station on a tablet; a manager looks over her shoulder.
        if station is None or not user.has_role(Role.KITCHEN, Role.MANAGER):
            return CLOSE_FORBIDDEN
        return None

    @database_sync_to_async
    def _changes(self, after: int) -> dict:
        with translation.override(self.language):
            return selectors.changes_since(station=Station.objects.get(pk=self.station_id), after=after)

    @database_sync_to_async
    def keepalive_news(self) -> dict:
        # One primary-key read per screen per keep-alive: cheap enough every few seconds.
        return {"seq": selectors.station_seq(station_id=self.station_id)}

    async def disconnect(self, code):
        self.stop_keepalive()
        if hasattr(self, "group"):
            try:
                await self.channel_layer.group_discard(self.group, self.channel_name)
            except Exception:  # Redis down: its subscriptions went with it
                logger.warning("Could not leave the station group on disconnect", exc_info=True)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type")
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "resync" and isinstance(content.get("after"), int) and content["after"] >= 0:
            await self.send_json(await self._changes(content["after"]))

    async def kds_ticket(self, event):
        await self.send_json({"type": "ticket", "seq": event["seq"], "ticket": self.in_my_language(event, "ticket")})

    async def kds_fire(self, event):
        fire, alarms = self.in_my_language(event, "fire"), self.in_my_language(event, "alarms")
        await self.send_json({"type": "fire", "seq": event["seq"], "fire": fire, "alarms": alarms})

    async def kds_unpaired(self, event):
        # A manager retired this screen: it stops hearing tickets at once and asks for a code.
        if getattr(self, "display_id", None) == event["display"]:
            await self.close(code=CLOSE_UNAUTHENTICATED)
