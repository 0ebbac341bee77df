"""Queue mode, the parts both sides share and the API's side: `protocol` is what the API and the
workers agree on (keys, messages, leases), `celery_app` and `transport` the Celery application
both build, `runner` the `Runner` the API uses in queue mode (with `depth`, `lost_runs` and
`share_leases`). The workers themselves are `execbox.worker`."""
