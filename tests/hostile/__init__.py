"""The hostile-input corpus (RELIABILITY.md "Bad input"), built by code, never committed."""
