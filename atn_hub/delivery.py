"""The node's deliveries: webhook deliveries and notifications (with their e-mails, reminders and digests),
made from the change log and sent by the outbox (``atn_hub.outbox``); and the statistics, counted again
when the change log moves (``services.stats.refresh``).

``atn-hub worker`` runs them beside the indexer; with ``ATN_DELIVERY=thread`` (the default) each web process
runs them too, in a background thread, so the embedded ``atn-hub run`` delivers without a worker. Several
processes delivering at once is safe: the change log is fanned out under a lock on its cursor, each delivery
is claimed before it is sent, the reminders' pass is taken by one process at a time.
"""
from __future__ import annotations

import logging

from flask import Flask

from . import outbox
from .background import BackgroundThread, PerProcessThread
from .config import Settings
from .extensions import get_db

log = logging.getLogger("atn_hub.delivery")


def channels(settings: Settings) -> list[outbox.Channel]:
    from .services import notifications, webhooks

    return [webhooks.channel(settings), notifications.channel(settings)]


def run_once(session_factory, settings: Settings, channel_list: list[outbox.Channel], raise_errors: bool = False,
             ) -> dict[str, int]:
    """One pass: each channel fans out what is new in the change log and sends what is due; then the
    reminders and digests (at most every few minutes), and the statistics once records changed. A failed part
    is logged (or raised) and the others still run; the next pass tries it again."""
    from .services import reminders, stats

    done: dict[str, int] = {}
    for channel in channel_list:
        try:
            done[channel.name] = outbox.run_once(session_factory, channel)["attempts"]
        except Exception:
            if raise_errors:
                raise
            channel.log.exception(f"{channel.name} pass failed")
    passes = ((reminders.log, "reminders", lambda: reminders.run_once(session_factory, settings)),
              (stats.log, "statistics", lambda: {"statistics": stats.refresh(session_factory, settings)}))
    for logger, name, run in passes:
        try:
            done.update(run())
        except Exception:
            if raise_errors:
                raise
            logger.exception(f"{name} pass failed")
    _beat(session_factory)
    return done


def _beat(session_factory) -> None:
    """Say that deliveries run (webhook registration warns when nothing has for a while)."""
    from .services import webhooks

    try:
        webhooks.beat(session_factory)
    except Exception:
        log.exception("delivery heartbeat failed")


class DeliveryThread(BackgroundThread):
    """Runs ``run_once`` every ``interval`` seconds in a daemon thread of this process."""

    name = "atn-delivery"

    def __init__(self, node: NodeDelivery):
        self.node = node
        super().__init__()

    def _run(self) -> None:
        channel_list = channels(self.node.settings)
        while not self._stop.is_set():
            run_once(self.node.session_factory, self.node.settings, channel_list)
            self._stop.wait(self.node.interval)


class NodeDelivery:
    def __init__(self, app: Flask):
        self.settings: Settings = app.config["ATN_SETTINGS"]
        self.session_factory = get_db(app).session_factory
        self.interval = self.settings.delivery_poll_seconds
        self._thread = PerProcessThread(lambda: DeliveryThread(self).start(),
                                        enabled=self.settings.delivery == "thread")

    def ensure_thread(self) -> None:
        """Start this process's delivery thread once (after a fork too: threads do not survive it)."""
        self._thread.ensure()

    def stop(self) -> None:
        self._thread.stop()
