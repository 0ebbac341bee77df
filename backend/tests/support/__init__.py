"""Real services for tests: throwaway PostgreSQL and Redis servers, and the API as a process."""
