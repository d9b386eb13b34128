"""Every shape that leaves quizkit as data: each `--json` output and the exam report, one module
per command family (so a command pays only for its own record classes at start-up).

A screen and its `--json` show the same figures, so each is a typed value here (a frozen
msgspec Struct the use case fills and the renderer draws, never parsing strings back) with `to_dict()`
giving its JSON, whose shape is the TypedDict beside it. Changing a TypedDict changes what scripts
read: add keys, never rename or drop one.
"""
