"""Endpoints of /v2 for past meetings (filled in by the zoomsim issue's work)."""
