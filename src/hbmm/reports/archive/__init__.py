"""The archive of published situation reports: publishing (`services`) and reading it back,
with what changed since (`selectors`)."""
