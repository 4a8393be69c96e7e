"""Test-suite wide settings.  Fixtures for apps and clients come from ``aioteach.testing``."""
