"""Request helpers shared by every blueprint."""
