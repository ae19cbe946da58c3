"""Sphinx configuration of the book site, one edition (English or Chinese) per build.

Not run by hand: `python tools/build_site.py` stages each edition's pages, writes its settings to a JSON
file and runs Sphinx with this folder as the configuration folder (`-c tools/site`) and
DISTILL_SITE_SETTINGS pointing at that file. The stack is Jupyter Book 1's (Sphinx, sphinx-book-theme,
myst-nb), configured here directly instead of through the jupyter-book command.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote, urlencode

S = json.loads(Path(os.environ["DISTILL_SITE_SETTINGS"]).read_text(encoding="utf-8"))

project = S["project"]
author = S["author"]
copyright = S["copyright"]
language = S["language"]          # "en" or "zh_CN": the theme's labels and the search's word splitter
html_title = S["title"]

extensions = ["myst_nb"]
exclude_patterns = ["_settings.json"]
templates_path = ["_templates"]
html_static_path = ["_static", S["mathjax_static"]]   # the second holds mathjax/ (from a PyPI package)
html_css_files = ["site.css"]
html_js_files = ["site.js"]

# the committed notebooks are executed: render their saved outputs, never run them
nb_execution_mode = "off"
# a widget shows its saved picture (image/png beside the widget view), as it does on GitHub; no widget
# JavaScript from a CDN
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js = {}
nb_render_markdown_format = "myst"  # markdown outputs (tables with math) are parsed like the cells
myst_enable_extensions = ["dollarmath", "amsmath", "html_image"]
myst_heading_anchors = 3

# MathJax 3 from the staged copy (sphinx-mathjax-offline's files), never from a CDN
mathjax_path = "mathjax/tex-chtml.js"

html_theme = "sphinx_book_theme"
html_favicon = "_static/favicon.svg"   # a favicon of its own: no request that fails
# pydata-sphinx-theme reads the light/dark default from the context; without one it logs a console error
html_context = {"default_mode": "auto"}
html_copy_source = True              # the download button offers the notebook
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "use_download_button": True,
    "use_fullscreen_button": True,
    "article_header_end": ["lang-switch.html", "article-header-buttons.html"],
    "navigation_with_keys": False,
}
if S["launch"].get("repository_url"):
    html_theme_options.update(repository_url=S["launch"]["repository_url"], use_repository_button=True,
                              repository_branch=S["launch"]["branch"])


def _lang_switch(app, pagename, templatename, context, doctree):
    """The link to the same page in the other edition (both editions have every page, see build_site.py)."""
    up = "../" * (pagename.count("/") + 1)
    context["lang_switch"] = {"href": f"{up}{S['other']['folder']}/{pagename}.html", "label": S["other"]["label"],
                              "lang": S["other"]["hreflang"], "title": S["other"]["title"]}


def _launch_buttons(app, pagename, templatename, context, doctree):
    """Binder, JupyterHub and Colab for a notebook page, opening that notebook's own file in the repository
    (the Chinese edition's lies in notebooks/zh/) and, for Colab, its generated copy with the install cell."""
    launch = S["launch"]
    paths = S["notebooks"].get(pagename)
    if not paths or not launch.get("repository_url") or "header_buttons" not in context:
        return
    repo = launch["repository_url"].rstrip("/")
    org, name = repo.split("github.com/")[-1].split("/")[:2]
    buttons = []
    if launch.get("binderhub_url"):
        buttons.append({"type": "link", "text": "Binder", "tooltip": "Launch on Binder",
                        "icon": "_static/images/logo_binder.svg",
                        "url": f"{launch['binderhub_url'].rstrip('/')}/v2/gh/{org}/{name}/{launch['branch']}"
                               f"?urlpath={quote('lab/tree/' + paths['repo'])}"})
    if launch.get("jupyterhub_url"):
        query = urlencode({"repo": repo, "urlpath": f"lab/tree/{name}/{paths['repo']}", "branch": launch["branch"]},
                          safe="/")
        buttons.append({"type": "link", "text": "JupyterHub", "tooltip": "Launch on JupyterHub",
                        "icon": "_static/images/logo_jupyterhub.svg",
                        "url": f"{launch['jupyterhub_url'].rstrip('/')}/hub/user-redirect/git-pull?{query}"})
    if launch.get("colab_url") and paths.get("colab"):
        buttons.append({"type": "link", "text": "Colab", "tooltip": "Launch on Colab",
                        "icon": "_static/images/logo_colab.png",
                        "url": f"{launch['colab_url'].rstrip('/')}/github/{org}/{name}/blob/{launch['colab_branch']}/"
                               f"{paths['colab']}"})
    if buttons:
        context["header_buttons"].append({"type": "group", "tooltip": "Launch interactive content",
                                          "icon": "fas fa-rocket", "buttons": buttons, "label": "launch-buttons"})


def _chinese_search():
    from sphinx.search.zh import SearchChinese

    class Search(SearchChinese):
        """Sphinx 9.0's Chinese search writes `window.Stemmer = ChineseStemmer` into language_data.js, which
        defines only the English stemmer it uses for Latin words (an uncaught ReferenceError on every page):
        name the one that exists. Words are still split with jieba."""
        language_name = "English"
    return Search


def setup(app):
    if language.startswith("zh"):
        app.add_search_language(_chinese_search())
    app.connect("html-page-context", _lang_switch)
    # after sphinx-book-theme's own header buttons (priority 501), which this replaces for launching
    app.connect("html-page-context", _launch_buttons, priority=502)
