"""The ontology as the code sees it: namespaces, the generated closed namespace of our terms, the loaded ontology and vocabularies, and the OWL 2 RL rules that materialize entailments."""
