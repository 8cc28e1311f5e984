"""Endpoints of /v2 for recordings (filled in by the zoomsim issue's work)."""
