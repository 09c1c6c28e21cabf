"""Alembic migrations of the store's schema (env.py, versions/); run through csewatch.store.migrate."""
