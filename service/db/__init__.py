"""Persistence: SQLAlchemy tables (`…Record`), sessions and repositories. The database is the truth;
the broker only delivers."""
