"""Institutions, their coordinators, rotation listings, slots and search."""
