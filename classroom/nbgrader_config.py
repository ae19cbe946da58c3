"""nbgrader configuration for the classroom edition (run nbgrader commands from this folder).

    cd classroom
    nbgrader generate_assignment 01_concepts       # release/01_concepts/: the students' copy
    nbgrader autograde 01_concepts                 # grades submitted/<student>/01_concepts/

Every exercise's check cell is worth one point. The notebooks read the dataset and the trained models
from `dh.data_root()`: DISTILL_DATA when set, else the repository's data/ folder. Point DISTILL_DATA at a
prepared cache (`python -m distill_helpers prepare --root PATH`) so that students and the autograder train nothing.
"""
c = get_config()  # noqa: F821 (provided by nbgrader)

# The answer cell keeps its placeholder ("answer_1 = None"), so the students' copy runs top to bottom and
# each check says "not answered yet". nbgrader's default stub raises NotImplementedError instead.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}
# Notebooks with training cells run longer than nbgrader's 30 s per cell on a laptop CPU.
c.Execute.timeout = 600
