"""Small helpers shared by test modules."""

HEAD = '[deck]\ntitle = "T"\n'
