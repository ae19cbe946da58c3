"""nbgrader configuration for the Chinese classroom edition (中文版; run nbgrader commands from this folder).

    cd classroom/zh
    nbgrader generate_assignment 01_concepts       # release/01_concepts/: the students' copy, in Chinese
    nbgrader autograde 01_concepts                 # grades submitted/<student>/01_concepts/

A course directory of its own (its own gradebook, release/ and submitted/), with the same assignment names,
exercises, points and code as classroom/, whose settings it loads. Only the markdown is Chinese: the
notebooks are built by tools/build_notebooks.py from the translations (docs/i18n.md).

The autograder's kernels inherit DISTILL_LANG=zh from here, so the graded copies and their feedback print
Chinese; a student's released copy is Chinese without any setting (its metadata says "language": "zh-CN",
which distill_helpers.infra.i18n reads when JupyterLab starts the kernel). Point DISTILL_DATA at a prepared cache
(`python -m distill_helpers prepare --root PATH`): the Chinese notebooks use the same models as the English.
"""
import os

c = get_config()  # noqa: F821 (provided by nbgrader)
load_subconfig("../nbgrader_config.py")  # noqa: F821 (traitlets: the stub and the timeout of classroom/)

os.environ.setdefault("DISTILL_LANG", "zh")
