"""Endpoints of /v2 for meetings (filled in by the zoomsim issue's work)."""
