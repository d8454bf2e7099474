"""The built store: opening a build for queries, and writing its dumps (TriG, N-Quads, Turtle, JSON-LD)."""
