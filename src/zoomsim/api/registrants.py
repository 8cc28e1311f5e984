"""Endpoints of /v2 for registrants (filled in by the zoomsim issue's work)."""
