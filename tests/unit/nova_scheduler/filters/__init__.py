"""Tests of each scheduler filter, by module."""
