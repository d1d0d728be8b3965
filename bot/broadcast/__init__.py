"""Admin broadcasts: audiences, the notice as citizens see it, and the rate-limited sender."""
