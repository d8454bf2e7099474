"""Network views of the knowledge graph: projections (networkx), pages, analytics, matrix.

- `projections`: SPARQL over the built store → networkx graphs, one per view, whose nodes carry
  what `catalog` reads once (class, zh/en labels, the sources that state them) and the `groups`
  they are drawn in; `focus`: one entity's neighbourhood; `graphs`: typed edges, sorted graphs;
- `layout`: precomputed positions (the pages never run physics);
- `pages`: self-contained HTML pages around vis-network (`write_all` is called by the build);
- `export`: GraphML;  `matrix`: the measure × sector picture;  `analytics`: `policykg stats`;
- `synthetic`: generated stores and graphs for tests and benchmarks.
"""
