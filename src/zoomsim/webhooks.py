"""Webhooks out: signed like Zoom, retried like Zoom, logged."""

from __future__ import annotations

from zoomsim.sim import Simulator


def install(sim: Simulator) -> None:
    """Register the event sink that turns `sim.emit` into deliveries."""


def start(sim: Simulator) -> None:
    """Start the delivery loop (called from the app's lifespan)."""
