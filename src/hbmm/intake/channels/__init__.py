"""The channels submissions arrive through, on top of the pipeline (receive, process, bulk):
OpenRosa posts (`openrosa`), web forms (`web`), files (`files`) and pulls from ODK Central and
KoboToolbox (`pulls`). A channel checks what is its own to check, then hands each submission
to `intake.receive` and `intake.process` (files: `intake.bulk`)."""
