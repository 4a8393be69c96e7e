"""aioteach: learn asynchronous HTTP in Python by reading and running it."""
__version__ = "0.1.0"
