"""Preceptors (supervising US physicians), and later their reviews, evaluations and letters."""
