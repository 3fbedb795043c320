"""Tests of each scheduler weigher, by module."""
