"""Data files of abcd-map (category tables, column aliases, templates, the fictional demo town)."""
