"""SQLAlchemy models, Alembic migrations, idempotent upserts and the queries reports need."""
