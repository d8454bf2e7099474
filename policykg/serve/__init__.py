"""`policykg serve`: the read-only SPARQL endpoint over a build."""
