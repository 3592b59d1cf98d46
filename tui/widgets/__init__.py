"""Widgets of the wirediff reader (one module per widget)."""
