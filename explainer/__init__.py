"""explainer: turn a story's people, events, claims and questions into a static site."""

__version__ = "0.1.0"
