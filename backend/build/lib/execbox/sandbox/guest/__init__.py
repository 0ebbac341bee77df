"""Code that runs in the runtime interpreter: the template, the sandbox set-up and the runner.

Standard library only (numpy, pandas and scipy are imported by the template to keep them warm),
so that the runtime virtualenv needs nothing of the server's dependencies.
"""
