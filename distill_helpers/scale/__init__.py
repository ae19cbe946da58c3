"""Speed machinery a learner never has to open: many students trained as one stacked model, the multi-seed grids built on it, and notebook 10's recorded experiment."""
