"""pytest fixtures for testing aioteach applications (registered as the ``aioteach`` plugin).

The fixtures themselves live in ``aioteach.testing``; this module only exposes them to pytest.
"""
__all__: list = []
