"""Administration pages that tie the areas together."""
