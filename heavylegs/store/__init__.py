"""The data folder: atomic files, locks, profiles and dated assessments."""
