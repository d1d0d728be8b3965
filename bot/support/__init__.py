"""Study support: the catalogue of programmes and funds, and the finder that ranks them."""
