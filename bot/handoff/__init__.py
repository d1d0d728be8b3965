"""Hand a question over to staff: tickets, the staff group, answers back to the citizen."""
