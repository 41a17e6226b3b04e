"""Encoders turn text and images into vectors; backends register by name."""

from shopseek.encoders.base import ENCODERS, Encoder, get_encoder, register

__all__ = ["ENCODERS", "Encoder", "get_encoder", "register"]
