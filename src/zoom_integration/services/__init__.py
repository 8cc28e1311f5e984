"""Writes of the Zoom integration, one module per outcome (HackSoftware style: keyword-only,
typed functions named <entity>_<action>)."""
