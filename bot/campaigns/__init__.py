"""Campaign and place codes: deep links, QR posters and where citizens came from."""
