"""Where runs execute: the `Runner` protocol the rest of the service sees, and `LocalRunner` (this
process's sandbox engine). Queue mode's runner (workers fed through Redis) is
`execbox.queue.runner.QueueRunner`."""
