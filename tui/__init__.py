"""wirediff: see where news copy comes from."""

__version__ = "0.1.0"
