"""Training-load formulas on plain numbers and NumPy arrays: no pandas, no files."""
