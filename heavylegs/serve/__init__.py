"""Serving pages: the Voila process manager, its kernel and page template."""
