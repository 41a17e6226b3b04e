"""Feedback: the event log of shopper behaviour (and, later, profiles and experiments built on it)."""
