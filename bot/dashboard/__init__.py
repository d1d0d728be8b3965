"""The admins' dashboard: figures of how the bot served citizens, per period and channel."""
