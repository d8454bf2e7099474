"""Validation: zero-row SPARQL checks, SHACL shapes, OWL 2 DL consistency with HermiT, and the report objects they return."""
