"""Applications, placements, recommendations, match rounds and the match engine."""
