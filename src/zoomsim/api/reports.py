"""Endpoints of /v2 for reports (filled in by the zoomsim issue's work)."""
