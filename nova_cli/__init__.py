"""novalite: the project's command-line client."""
