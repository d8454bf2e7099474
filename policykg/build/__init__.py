"""`policykg build`: the pipeline from ontology and encodings to the files of build/ (dumps, report, pages)."""
