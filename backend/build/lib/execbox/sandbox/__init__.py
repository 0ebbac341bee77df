"""The isolation engine.

Host-side modules live here; `guest/` holds the code that runs inside the runtime interpreter
(the warm template and the sandboxed children). This package imports nothing on purpose: the
guest interpreter imports `execbox.sandbox.guest` through it and must not pull in host code.
"""
