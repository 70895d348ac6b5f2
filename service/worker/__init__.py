"""Celery workers. Tasks are thin: ids in, the pipeline, results stored in the database."""
