"""Evaluation: metrics through ir-measures, TREC run files, benchmark queries and reports. Never imported by the core."""
