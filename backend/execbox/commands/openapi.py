"""`execbox openapi`: print the API's whole OpenAPI schema, the optional endpoints included (the
web UI's TypeScript types come from it)."""

from __future__ import annotations

import argparse
import json

from execbox.api.app import create_app
from execbox.settings import Settings


def openapi(_args: argparse.Namespace) -> int:
    # Default settings, whatever this machine's environment says: the schema is the code's. With
    # its optional parts (accounts): a client built from it works with any server's settings.
    schema = create_app(Settings.model_construct(ACCOUNTS_ENABLED=True)).openapi()
    print(json.dumps(schema, indent=2, sort_keys=True))
    return 0
