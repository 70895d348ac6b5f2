"""Service commands of the `docproc` CLI: each module has `run(argv) -> exit status`."""
