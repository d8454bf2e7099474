"""The per-document stage: read and check a source's YAML encoding, and compile it into RDF (one named graph per source)."""
