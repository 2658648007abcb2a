"""Helpers shared by the test suites (import them as `tests.support.<module>`, never `from conftest`).

- ports: free loopback ports
- domain: domain.yml responses, read independently of the bot's own code
- stack: the real stack (Rasa server with our channels, action server, SQLite directory)
- webfront: constants of the fake Rasa the web-front tests talk to
"""
