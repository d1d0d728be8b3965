"""Voice questions: offline speech recognition, the pending transcript, the start-up check."""
