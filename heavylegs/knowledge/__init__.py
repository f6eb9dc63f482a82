"""The catalogue of causes and red flags, kept as data (YAML), and the code that reads it."""
