"""Unit tests: extractors and models, no servers."""
