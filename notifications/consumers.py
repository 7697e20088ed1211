"""The browser's socket: live status, the bell, the approver's to-do list."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.http.cookie import parse_cookie

from portal.languages import preferred_language

from . import services


def socket_language(scope, user) -> str:
    """The page's language (the switch's cookie), else the user's chosen one, else Chinese."""
    cookies = scope.get("cookies")
    if cookies is None:
        header = dict(scope.get("headers") or ()).get(b"cookie", b"")
        cookies = parse_cookie(header.decode("latin-1"))
    language = cookies.get(settings.LANGUAGE_COOKIE_NAME)
    if language in dict(settings.LANGUAGES):
        return language
    return preferred_language(user)


def localized(payload: dict, language: str) -> dict:
    """One message as this socket's reader reads it: the status, the text and the to-do
    row in the socket's language (the group message carries every language)."""
    payload = dict(payload)
    labels = payload.pop("labels", None)
    texts = payload.pop("texts", None)
    rows = payload.pop("rows", None)
    if labels and language in labels:
        payload["status_label"] = labels[language]
    if texts and language in texts:
        payload["text"] = texts[language]
    if rows and language in rows:
        payload["row"] = rows[language]
    return payload


class StatusConsumer(AsyncJsonWebsocketConsumer):
    """Signed-in users only; each joins just its own enterprise's, bell's and queue's groups."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.language = await database_sync_to_async(socket_language)(self.scope, user)
        self.joined = await database_sync_to_async(services.groups_for)(user)
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        unread = await database_sync_to_async(services.unread)(user.pk)
        await self.send_json({"type": "hello", "unread": unread})

    async def disconnect(self, code):
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "catch_up":
            try:
                after = int(content.get("after") or 0)
            except (TypeError, ValueError):
                after = 0
            events = await database_sync_to_async(services.events_after)(
                self.scope["user"], after, language=self.language
            )
            for event in events:
                await self.send_json(event)
            await self.send_json({"type": "caught_up", "count": len(events)})

    async def status_event(self, message):
        await self.send_json(localized(message["payload"], self.language))

    async def notification_new(self, message):
        await self.send_json(localized(message["payload"], self.language))

    async def queue_changed(self, message):
        await self.send_json(localized(message["payload"], self.language))
