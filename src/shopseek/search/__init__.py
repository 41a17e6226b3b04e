"""Search: understand the query, recall candidates per signal, fuse them and rank."""
