"""Queries: the catalogue of named queries, the engine that binds and runs them, result formats, and the view of one entity."""
