"""Training logs, their file formats and daily check-ins: read, check, write."""
