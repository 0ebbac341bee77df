"""Where runs execute: `LocalRunner` (this process's sandbox engine) or `QueueRunner` (workers
fed through Redis). The rest of the service sees only the `Runner` protocol."""
