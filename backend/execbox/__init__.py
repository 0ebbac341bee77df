"""execbox: run untrusted Python in a kernel sandbox with the scientific stack kept warm."""

__version__ = "0.2.0"
