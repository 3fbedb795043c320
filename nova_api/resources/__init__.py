"""One module per API resource; each keeps its routes' schemas beside it."""
