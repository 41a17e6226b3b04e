"""Catalogue: product schema, readers for catalogue files, media loading and the SQLite store."""
