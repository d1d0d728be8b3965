"""Công dân học tập: registration, the self-assessment, places, reports and the chart."""
