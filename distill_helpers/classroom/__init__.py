"""Classroom operations: preparing a room that trains nothing, and checking that an environment is ready for the series."""
