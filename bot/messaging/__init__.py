"""The messaging core: inbox, processing, outbox sender, rate limiter, leases and metrics.

Every update a channel receives is stored in the inbox (committed) before it is
acknowledged; processing handles each chat's updates in order, one transaction per batch
that also writes the flow state, the question log and the replies as outbox rows; one
sender per channel token drains the outbox through one rate limiter. See README,
"Deployment", for what can repeat after a crash and what is never lost.
"""
