"""The errors shopseek explains to its callers: the API maps each kind to a status, the CLI prints it and exits 2."""

from __future__ import annotations


class ShopSeekError(Exception):
    """Base of every error whose message is meant for the person who caused it."""


class NotFound(ShopSeekError):
    """An unknown product, image, experiment or index folder (HTTP 404)."""


class BadInput(ShopSeekError, ValueError):
    """A request, file or value that cannot be used as given (HTTP 422)."""


class BadQuery(BadInput):
    """A search that cannot run: no words and no photo, or words the engine cannot read."""


class BadMedia(BadInput):
    """A photo or video that cannot be fetched, decoded or is too large."""


class NotEnoughData(BadInput):
    """Too little data to learn from (for example too few products with both text and photos)."""


class IndexMismatch(ShopSeekError):
    """An index folder made by a different encoder or version than the one opening it (HTTP 409)."""
