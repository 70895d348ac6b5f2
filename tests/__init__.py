"""docproc tests."""
