"""Full-text search with Whoosh. The database is the source of truth; the index can
always be rebuilt from it."""
