"""Links between policies: shared entities, similarity and lineage, computed over a built store."""
