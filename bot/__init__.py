"""Khuyến học Bot: a messenger-independent chat bot core for Đồng Tháp citizens."""
