"""Migration statuses, Nova's strings: the one home conductor, computes
and API read them from.

A cold move (resize, migration) walks pre-migrating -> migrating ->
post-migrating -> finished, then confirming -> confirmed or reverting ->
reverted; error when it failed. A live migration (not built yet) uses
queued -> preparing -> running -> post-migrating -> completed, or failed
or cancelled.
"""

PRE_MIGRATING = 'pre-migrating'
MIGRATING = 'migrating'
POST_MIGRATING = 'post-migrating'
FINISHED = 'finished'
CONFIRMING = 'confirming'
CONFIRMED = 'confirmed'
REVERTING = 'reverting'
REVERTED = 'reverted'
ERROR = 'error'
# Live migration.
QUEUED = 'queued'
PREPARING = 'preparing'
RUNNING = 'running'
COMPLETED = 'completed'
FAILED = 'failed'
CANCELLED = 'cancelled'
LIVE_IN_PROGRESS = (QUEUED, PREPARING, RUNNING, POST_MIGRATING)

# A move's end: nothing more happens to it.
DONE = (CONFIRMED, REVERTED, ERROR, COMPLETED, FAILED, CANCELLED)

# migration_type
RESIZE = 'resize'
MIGRATION = 'migration'
LIVE_MIGRATION = 'live-migration'
EVACUATION = 'evacuation'
