"""Coverage-guided fuzz targets (atheris); run by `make fuzz`, not collected by pytest."""
