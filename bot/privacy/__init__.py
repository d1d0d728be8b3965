"""Personal data: what is stored about a citizen, its export and its deletion."""
