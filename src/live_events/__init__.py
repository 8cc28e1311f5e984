"""Live events: the domain (events, sessions, recordings) and the meeting-provider registry.

Never imports zoom_integration: Zoom ids are plain fields here, and the Zoom provider registers
itself from zoom_integration when that app loads.
"""
