"""Network views of the knowledge graph: projections (networkx), pages, analytics, matrix.

- `projections`: SPARQL over the built store → networkx graphs whose nodes carry class, zh/en
  labels and the sources that state them;
- `layout`: precomputed positions (the pages never run physics);
- `pages`: self-contained HTML pages around vis-network (`write_all` is called by the build);
- `export`: GraphML;  `matrix`: the measure × sector picture;  `analytics`: `policykg stats`;
- `synthetic`: generated stores and graphs for tests and benchmarks.
"""
