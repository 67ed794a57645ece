"""The waiter's live floor: table states, 86'd items and order changes of one outlet.

Tablets only listen here; every command goes through the REST API.
"""

import asyncio
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation.trans_real import parse_accept_lang_header

from orders import selectors
from orders.broadcasts import floor_group, waiter_group
from orders.languages import in_language
from orders.models import Order
from orders.services import FLOOR_SOCKET_ROLES
from tables.models import Outlet

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


def screen_language(scope) -> str:
    """The language the screen's page is in: its language cookie, else the browser's, else the site's.

    The same choice LocaleMiddleware makes for the page (a socket has no request to ask).
    """
    cookie = (scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME)
    accept = dict(scope.get("headers") or []).get(b"accept-language", b"").decode("latin-1")
    for code in [cookie, *(code for code, _quality in parse_accept_lang_header(accept))]:
        if not code or code == "*":
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class KeepAliveConsumer(AsyncJsonWebsocketConsumer):
    """A live screen's socket that, every few seconds, tells the screen where the database is.

    Messages through the channel layer are at most once (Redis down or restarting loses
    them, and the socket stays open). The keep-alive is read from the database, not sent
    through Redis, so a screen that missed a message sees it is behind within seconds,
    even when nothing else happens, and fetches what it missed.
    """

    _keepalive_task: asyncio.Task | None = None

    @cached_property
    def language(self) -> str:
        return screen_language(self.scope)

    def in_my_language(self, event: dict, key: str):
        """`event[key]` in this screen's language, when the sender gave every language."""
        return in_language(event, key, self.language)

    async def keepalive_news(self) -> dict:
        """What the keep-alive carries besides its type: numbers or versions from the database."""
        raise NotImplementedError

    def start_keepalive(self) -> None:
        self._keepalive_task = asyncio.ensure_future(self._keep_alive(settings.LIVE_KEEPALIVE_SECONDS))

    async def _keep_alive(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                news = await self.keepalive_news()
            except Exception:  # the database away for a moment: say nothing rather than something wrong
                logger.warning("Could not read the keep-alive's news", exc_info=True)
                continue
            await self.send_json({"type": "keepalive", **news})

    def stop_keepalive(self) -> None:
        if self._keepalive_task is not None:
            self._keepalive_task.cancel()
            self._keepalive_task = None

    async def close(self, code=None, reason=None):
        self.stop_keepalive()  # nothing more to say on a socket we close (unpaired, refused)
        await super().close(code=code, reason=reason)


class FloorConsumer(KeepAliveConsumer):
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
        # A bill screen names its order: its keep-alive carries that order's version too.
        wanted = parse_qs(self.scope.get("query_string", b"").decode()).get("order", [""])[0]
        self.order_id = int(wanted) if wanted.isdigit() else None
        if not await self._may_watch(user, self.outlet_id):
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = floor_group(self.outlet_id)
        self.own_group = waiter_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.channel_layer.group_add(self.own_group, self.channel_name)
        # Read before accepting: the tablet loads the floor once connected, so what it
        # loads is at least this new, and this first keep-alive is its baseline.
        news = await self.keepalive_news()
        await self.accept()
        await self.send_json({"type": "keepalive", **news})
        self.start_keepalive()

    @database_sync_to_async
    def _may_watch(self, user, outlet_id: int) -> bool:
        if self.order_id is not None and not Order.objects.filter(pk=self.order_id, outlet_id=outlet_id).exists():
            return False
        # The cashier watches her outlet's checks; the kitchen listens for the 86 board (what is sold out, live).
        return user.has_role(*FLOOR_SOCKET_ROLES) and Outlet.objects.filter(pk=outlet_id, is_active=True).exists()

    @database_sync_to_async
    def keepalive_news(self) -> dict:
        news = {"floor": selectors.floor_version(outlet_id=self.outlet_id)}
        if self.order_id is not None:
            news["order"] = selectors.order_version(order_id=self.order_id)
        return news

    async def disconnect(self, code):
        self.stop_keepalive()
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
        await self.send_json(self.in_my_language(event, "message"))

    async def floor_table(self, event):
        await self.send_json({"type": "table", "table": event["table"]})

    async def floor_layout(self, event):
        # The manager's floor-plan editor saved: tables moved (their states came just before) or the plan changed.
        await self.send_json({"type": "layout", "layout": event["layout"]})

    async def floor_item(self, event):
        message = {"type": "item", "item": event["item"]}
        if "prices_change_at" in event:  # a price change says when the prices next change by themselves
            message["prices_change_at"] = event["prices_change_at"]
        await self.send_json(message)

    async def floor_menu(self, event):
        await self.send_json({"type": "menu", "menu": event["menu"]})

    async def floor_modifier(self, event):
        await self.send_json({"type": "modifier", "modifier": event["modifier"]})

    async def floor_order(self, event):
        await self.send_json({"type": "order", "order": event["order"]})

    async def kitchen_ready(self, event):
        # The kitchen calls this waiter: an order (or a course) of theirs is ready at the pass.
        await self.send_json({"type": "ready", "fire": self.in_my_language(event, "fire")})
