"""Indexes: one small contract, a FAISS vector backend and a BM25 lexical backend."""
