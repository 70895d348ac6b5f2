"""Everything with side effects: the CLI, and later the API, workers, storage and connectors."""
