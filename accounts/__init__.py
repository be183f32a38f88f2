"""Users (e-mail as login), roles, and invitations for coordinators and preceptors."""
