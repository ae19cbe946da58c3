// Opened from a file (the offline bundle), a browser refuses the fetch() with which Sphinx's search builds
// each result's summary; the results themselves need no fetch, so show them without summaries there.
if (window.location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS !== "undefined") {
  DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
}
