"""Institutions, the coordinators and preceptors who belong to them, invitations and verification."""
