"""Scheduled reminders: personal reminders, event reminders and the self-assessment reminder."""
