"""Domain services: every business rule lives here, once.

Functions take the acting user explicitly, raise DomainError with a
translatable message, flush() but never commit(): the request (or job) commits once.
"""
