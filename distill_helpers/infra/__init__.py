"""Plumbing the rest stands on: crash-safe files, devices, boundary checks, the prepared-room guard, the language a learner reads and the font its figures use."""
