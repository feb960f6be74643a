"""Sitemaps. PLACEHOLDER: being written (issue 6)."""
