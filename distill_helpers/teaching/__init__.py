"""What the notebooks show and explore: plots, interactive explorers, other libraries' loss conventions and the bug zoo."""
