"""The queue's consumer: `execbox worker` processes take runs from Redis (execbox.queue) and run
them in their own sandbox engine, through the same `LocalRunner` the API uses in local mode."""
