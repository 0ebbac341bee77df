"""Business logic: what the routes ask for, independent of HTTP. Services own transactions."""
