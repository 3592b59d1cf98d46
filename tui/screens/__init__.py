"""Screens of the wirediff reader (one module per screen)."""
