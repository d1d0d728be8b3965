"""Channel adapters: the only modules that talk to a messenger."""
