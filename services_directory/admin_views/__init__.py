"""The parts of the staff admin (services_directory.admin puts them together).

config: settings from the environment; forms: CSRF-protected form base and the import's
validation rules as form validators; auth: sign-in, sign-out and the staff-only gate;
services, records: the model views.
"""
