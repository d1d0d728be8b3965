"""The staff web console: accounts, unanswered questions, the content editor and publishing."""
