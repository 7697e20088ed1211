"""The browser's socket: live status, the bell, the approver's to-do list."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import services


class StatusConsumer(AsyncJsonWebsocketConsumer):
    """Signed-in users only; each joins just its own enterprise's, bell's and queue's groups."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
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
            events = await database_sync_to_async(services.events_after)(self.scope["user"], after)
            for event in events:
                await self.send_json(event)
            await self.send_json({"type": "caught_up", "count": len(events)})

    async def status_event(self, message):
        await self.send_json(message["payload"])

    async def notification_new(self, message):
        await self.send_json(message["payload"])

    async def queue_changed(self, message):
        await self.send_json(message["payload"])
