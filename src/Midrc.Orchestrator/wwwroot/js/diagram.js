// Draws the workflow diagrams from the Mermaid text the page embeds; the current step is also written on the page.
(() => {
    if (typeof mermaid === "undefined") {
        return;
    }
    mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral", fontFamily: getComputedStyle(document.documentElement).fontFamily });
    mermaid.run({ querySelector: "pre.mermaid" });
})();
