"""Package marker so a non-editable install ships these files (see pyproject package-data)."""
