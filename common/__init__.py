"""Pieces every daemon shares: config, RPC plumbing, states, errors."""
