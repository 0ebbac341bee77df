"""Queue mode: `execbox worker` processes take runs from Redis (Celery) and run them in their own
sandbox engine. `protocol` is what the API and the workers agree on."""
