"""Security checks shared by the API and the workers (SSRF guard for outbound URLs)."""
