"""Local formats on top of Django's (get_format reads these first)."""
