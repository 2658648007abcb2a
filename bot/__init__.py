"""Runtime of the signposting assistant: channels, web front, NLU helpers and command line."""
