"""Operating an installation: backup and restore."""
