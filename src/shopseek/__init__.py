"""shopseek: cross-modal semantic product search for e-commerce."""

__version__ = "0.1.0"
