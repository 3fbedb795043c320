"""Tempest against a fresh cloud: see run.py."""
