"""zoomsim: a stand-in for Zoom (zoom.us OAuth, api.zoom.us/v2, webhooks out) for tests and demos.

It imports nothing of the Campus project and talks to it only over HTTP.
"""
