"""Custom actions for the Rasa action server. They choose what to say; domain.yml says it."""
