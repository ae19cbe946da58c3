"""nbgrader's environment-wide configuration for the series: deliberately empty.

nbgrader's JupyterLab server extensions look for an nbgrader_config.py when JupyterLab starts and log
"No nbgrader_config.py file found" (twice) when there is none, although the series keeps nbgrader's
menus off (page_config.d). This file, installed into the environment's etc/jupyter by requirements.txt,
is what they find. The classroom edition's real settings are in classroom/nbgrader_config.py, which
nbgrader reads on top of this one when its commands run in classroom/.
"""
c = get_config()  # noqa: F821 (provided by nbgrader)
