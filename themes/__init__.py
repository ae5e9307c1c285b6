"""The default theme, shipped inside the package as ``explainer.themes``."""
