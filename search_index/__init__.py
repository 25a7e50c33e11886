"""ATN Hub's search: schema, per-language analysis, indexing and querying. Knows nothing of Flask."""
