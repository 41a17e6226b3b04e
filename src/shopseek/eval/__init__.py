"""Evaluation: ir-measures metrics, TREC run files, benchmark queries and reports. Never imported by the core."""
