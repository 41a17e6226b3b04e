"""The lab's data: the fashion set and its splits, synthetic shopper queries and simulated shoppers.

Below `learn` and `eval` (both use it, it uses neither); nothing the server runs imports it.
"""
