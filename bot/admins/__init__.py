"""Admin roles: who may use admin commands, and the admins added in the bot."""
