// Opened from a file (the offline bundle), a browser refuses the fetch() with which Sphinx's search builds
// each result's summary; the results themselves need no fetch, so show them without summaries there.
if (window.location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS !== "undefined") {
  DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
}

// A summary is the text of the fetched page, where math is still TeX source (MathJax typesets it only in
// the page itself): show "…" for each formula instead of raw \frac{...}. Runs before Sphinx's search starts
// (this listener is registered first), once searchtools.js has defined Search.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Search === "undefined" || !Search.htmlToText) return;
  const htmlToText = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    doc.querySelectorAll(".math, mjx-container").forEach((el) => el.replaceWith("…"));
    return htmlToText(doc.documentElement.outerHTML, anchor);
  };
});
