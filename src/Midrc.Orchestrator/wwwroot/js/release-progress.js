// While a release builds in the background, look every few seconds whether it moved on, and show the page again when
// it did: the steps, counts and buttons all come from the server.
(() => {
    const section = document.getElementById("build-progress");
    if (!section || section.dataset.building !== "true") {
        return;
    }
    const timer = setInterval(async () => {
        const response = await fetch(section.dataset.poll, { headers: { Accept: "application/json" } });
        if (!response.ok) {
            return;
        }
        const detail = await response.json();
        if (`${detail.release.state}/${detail.buildStep}` !== section.dataset.seen) {
            clearInterval(timer);
            location.reload();
        }
    }, 4000);
})();
