"""JSON schemas of the Compute API's documented response bodies, per
microversion, for tests to validate real responses against."""
