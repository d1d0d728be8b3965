"""Vietnamese text normalisation and FAQ matching."""
