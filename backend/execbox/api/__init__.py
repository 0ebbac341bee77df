"""The HTTP layer: thin routes over the services, under /api/v1."""
