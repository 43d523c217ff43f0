"""Background work shared by several `paperboy worker` processes through the job table
(``store.jobs``): the runner (claim, heartbeat, complete or retry) and the units of work
that go through it (embedding batches; the scheduled singletons). See docs/deploy.md,
"Jobs"."""
