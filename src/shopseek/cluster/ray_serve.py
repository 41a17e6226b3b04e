"""`shopseek serve --ray`: every index split across shard actors, the HTTP API in Ray Serve replicas in front.

Each shard holds the products whose key % shards == its number, in all five indexes (text, image, lexical and
the two joint spaces). A replica is an ordinary ShopSeek over the shared catalogue store whose indexes are
facades that fan a search out to every shard and merge the hits by score, and route a write to its shard.
"""

from __future__ import annotations

import heapq
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from shopseek.app import ShopSeek
from shopseek.cluster.runtime import connect, ray_module
from shopseek.index.base import Hits, Indexes
from shopseek.index.lexical import LexicalIndex
from shopseek.index.snapshots import PRINCIPAL_DIRECTIONS, VECTOR_FILES
from shopseek.index.vectors import Compression, VectorIndex
from shopseek.language import tokenize


class IndexShard:
    """One shard of every index of a snapshot (a Ray actor)."""

    def __init__(self, snapshot: str, shard: int, shards: int, dims: dict[str, int], compression: Compression) -> None:
        self.spaces: dict[str, VectorIndex] = {}
        for name, filename in VECTOR_FILES.items():
            keys, vectors = VectorIndex.load(Path(snapshot) / filename, dims[name]).export()
            mine = keys % shards == shard
            part = VectorIndex(dims[name])
            part.add(keys[mine], vectors[mine])
            self.spaces[name] = part.rebuilt_for_size(compression, PRINCIPAL_DIRECTIONS[name])
        self.lexical = LexicalIndex.load(Path(snapshot), tokenize)
        self.lexical.delete([key for key in self.lexical.held_keys() if key % shards != shard])
        self.lexical.commit()

    def search(self, name: str, queries: np.ndarray, k: int, allowed: np.ndarray | None) -> list[Hits]:
        """Top-k hits of this shard for each query vector."""
        return self.spaces[name].search_many(queries, k, allowed)

    def search_tokens(self, tokens: list[str], k: int, allowed: np.ndarray | None) -> Hits:
        """Top-k BM25 hits of this shard."""
        return self.lexical.search_tokens(tokens, k, allowed)

    def vector(self, name: str, key: int) -> np.ndarray | None:
        """A stored vector, or None."""
        return self.spaces[name].vector(key)

    def held(self, name: str, keys: np.ndarray) -> np.ndarray:
        """Which of these keys have a vector in one space."""
        return self.spaces[name].held(keys)

    def vectors(self, name: str, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The keys among these with a vector in one space, and their vectors."""
        return self.spaces[name].vectors(keys)

    def export(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Every key of this shard in one space, and its vector."""
        return self.spaces[name].export()

    def add(self, name: str, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Add or replace vectors."""
        self.spaces[name].add(keys, vectors)

    def holding(self, keys: list[int], tokens: list[str]) -> set[int]:
        """The keys of this shard among these whose text holds any of the tokens."""
        return self.lexical.holding(keys, tokens)

    def add_texts(self, keys: list[int], texts: list[str]) -> None:
        """Add or replace product texts (searchable at once)."""
        self.lexical.add(keys, texts)

    def delete(self, name: str, keys: list[int]) -> None:
        """Remove keys from one index (`lexical` or a vector space)."""
        if name == "lexical":
            self.lexical.delete(keys)
        else:
            self.spaces[name].delete(keys)

    def count(self, name: str) -> int:
        """Entries held in one index."""
        return self.lexical.count() if name == "lexical" else self.spaces[name].count()


def merge(parts: list[Hits], k: int) -> Hits:
    """The k best hits across shards by score (equal scores: the smaller key first, as one process orders them)."""
    return heapq.nlargest(k, (hit for part in parts for hit in part), key=lambda hit: (hit[1], -hit[0]))


def by_shard(keys: Sequence[int] | np.ndarray, shards: int) -> list[tuple[int, np.ndarray]]:
    """Each shard that owns some of the keys (key mod shards), with the positions of its keys."""
    owners = np.asarray(keys, dtype=np.int64) % shards
    return [(number, np.flatnonzero(owners == number)) for number in np.unique(owners).tolist()]


class ShardedSpace:
    """A vector space whose entries live in shard actors; searched by fan-out and merge."""

    def __init__(self, name: str, shards: list[Any]) -> None:
        self.name, self.shards = name, shards
        self._ray = ray_module()

    def search_one(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> Hits:
        """Top-k (key, cosine) pairs over all shards."""
        return self.search_many(query[None, :], k, allowed)[0]

    def search_many(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[Hits]:
        """Top-k hits per query over all shards."""
        parts = self._ray.get([shard.search.remote(self.name, queries, k, allowed) for shard in self.shards])
        return [merge([part[row] for part in parts], k) for row in range(len(queries))]

    def vector(self, key: int) -> np.ndarray | None:
        """The stored vector of a key, from its shard."""
        return self._ray.get(self.shards[key % len(self.shards)].vector.remote(self.name, int(key)))

    def held(self, keys: np.ndarray) -> np.ndarray:
        """Which of these keys have a stored vector (asked of their shards)."""
        keys = np.asarray(keys, dtype=np.int64)
        held = np.zeros(len(keys), dtype=bool)
        owned = by_shard(keys, len(self.shards))
        parts = self._ray.get([self.shards[number].held.remote(self.name, keys[rows]) for number, rows in owned])
        for (_, rows), part in zip(owned, parts, strict=True):
            held[rows] = part
        return held

    def vectors(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The keys among these with a vector, in the order given, and their vectors, one call per shard."""
        keys = np.asarray(keys, dtype=np.int64)
        owned = by_shard(keys, len(self.shards))
        parts = self._ray.get([self.shards[number].vectors.remote(self.name, keys[rows]) for number, rows in owned])
        if not parts:
            return np.empty(0, dtype=np.int64), np.empty((0, 0), dtype=np.float32)
        stacked = np.concatenate([vectors for _, vectors in parts])
        found = {key: row for row, key in enumerate(np.concatenate([part_keys for part_keys, _ in parts]).tolist())}
        present = np.array([key for key in keys.tolist() if key in found], dtype=np.int64)
        return present, stacked[[found[key] for key in present.tolist()]]

    def export(self) -> tuple[np.ndarray, np.ndarray]:
        """Every key and vector over all shards."""
        parts = self._ray.get([shard.export.remote(self.name) for shard in self.shards])
        return np.concatenate([keys for keys, _ in parts]), np.concatenate([vectors for _, vectors in parts])

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Send each key's vector to its shard."""
        keys, vectors = np.asarray(keys, dtype=np.int64), np.asarray(vectors)
        owned = by_shard(keys, len(self.shards))
        self._ray.get([self.shards[number].add.remote(self.name, keys[rows], vectors[rows]) for number, rows in owned])

    def delete(self, keys: list[int]) -> None:
        """Remove keys from their shards."""
        _delete(self._ray, self.shards, self.name, keys)

    def count(self) -> int:
        """Entries over all shards."""
        return sum(self._ray.get([shard.count.remote(self.name) for shard in self.shards]))


class ShardedLexical:
    """BM25 whose documents live in shard actors (each shard scores with its own statistics)."""

    def __init__(self, shards: list[Any]) -> None:
        self.shards = shards
        self._ray = ray_module()

    def search_tokens(self, tokens: list[str], k: int, allowed: np.ndarray | None = None) -> Hits:
        """Top-k (key, BM25 score) pairs over all shards."""
        return merge(self._ray.get([shard.search_tokens.remote(tokens, k, allowed) for shard in self.shards]), k)

    def holding(self, keys: list[int], tokens: list[str]) -> set[int]:
        """The keys among these whose text holds any of the tokens, asked of the shards that own them."""
        owned = by_shard(keys, len(self.shards))
        found = self._ray.get(
            [self.shards[number].holding.remote([keys[i] for i in rows], tokens) for number, rows in owned]
        )
        return set().union(*found)

    def add(self, keys: list[int], texts: list[str]) -> None:
        """Send each product's text to its shard."""
        owned = by_shard(keys, len(self.shards))
        self._ray.get(
            [
                self.shards[number].add_texts.remote([keys[i] for i in rows], [texts[i] for i in rows])
                for number, rows in owned
            ]
        )

    def delete(self, keys: list[int]) -> None:
        """Remove products from their shards."""
        _delete(self._ray, self.shards, "lexical", keys)

    def count(self) -> int:
        """Products over all shards."""
        return sum(self._ray.get([shard.count.remote("lexical") for shard in self.shards]))


def _delete(ray: Any, shards: list[Any], name: str, keys: list[int]) -> None:
    """Remove keys from one index (`lexical` or a vector space) on the shards that own them."""
    ray.get(
        [
            shards[number].delete.remote(name, [int(keys[i]) for i in rows])
            for number, rows in by_shard(keys, len(shards))
        ]
    )


class SearchFront:
    """A Ray Serve replica: ShopSeek over the shared store with sharded indexes, serving the HTTP API."""

    def __init__(self, folder: str, shards: list[Any]) -> None:
        spaces = {name: ShardedSpace(name, shards) for name in VECTOR_FILES}
        indexes = Indexes(lexical=ShardedLexical(shards), **spaces)
        self.shop = ShopSeek(Path(folder), indexes=indexes)

    def __serve_build_asgi_app__(self) -> Any:
        """The same FastAPI app as `shopseek serve`."""
        from shopseek.service.api import create_app

        return create_app(self.shop)


def serve_on_ray(
    folder: Path, address: str, shards: int, replicas: int, host: str, port: int, blocking: bool = True
) -> str:
    """Snapshot the index, start shard actors and API replicas on Ray, and return the URL."""
    shop = ShopSeek(folder)
    shop.save()
    snapshot, _ = shop.snapshots.current()
    dims = shop.vector_dims()
    compression = shop.settings.vector_compression
    shop.close()
    ray = connect(address, workers=shards + replicas)
    from ray import serve

    actor = ray.remote(num_cpus=0.25)(IndexShard)
    handles = [actor.remote(str(snapshot), number, shards, dims, compression) for number in range(shards)]
    ray.get([handle.count.remote("text") for handle in handles])
    serve.start(http_options={"host": host, "port": port})
    key = os.environ.get("SHOPSEEK_API_KEY")
    options = {"num_cpus": 0.5, "runtime_env": {"env_vars": {"SHOPSEEK_API_KEY": key} if key else {}}}
    front: Any = serve.deployment(serve.ingress()(SearchFront), num_replicas=replicas, ray_actor_options=options)
    serve.run(front.bind(str(folder.resolve()), handles), name="shopseek", route_prefix="/", blocking=blocking)
    return f"http://{host}:{port}"
