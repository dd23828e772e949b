// The browser upload page: starts a submission, sends the chosen files in batches with progress, then the clinical
// CSVs, and completes it. Same API as `midrc submit`; the sign-in cookie and the page's antiforgery token authenticate.
(() => {
    const form = document.getElementById("upload-form");
    if (!form) {
        return;
    }
    const site = form.dataset.site;
    const antiforgery = form.querySelector("input[name=__RequestVerificationToken]").value;
    const progress = document.getElementById("upload-progress");
    const status = document.getElementById("upload-status");
    const problems = document.getElementById("upload-problems");
    const uploadButton = document.getElementById("upload-button");
    const completeButton = document.getElementById("complete-button");
    const batchFiles = 50;
    const batchBytes = 64 * 1024 * 1024;
    let submissionId = null;

    const headers = extra => Object.assign({ "X-Midrc-Site": site, "RequestVerificationToken": antiforgery }, extra || {});
    const say = text => { status.textContent = text; };
    const count = (n, noun) => `${n.toLocaleString("en")} ${n === 1 ? noun : noun + "s"}`;
    const problem = text => { const li = document.createElement("li"); li.textContent = text; problems.appendChild(li); };

    async function api(path, options) {
        const response = await fetch(path, Object.assign({ credentials: "same-origin" }, options, { headers: headers(options.headers) }));
        const body = response.headers.get("content-type")?.includes("json") ? await response.json() : {};
        if (!response.ok && response.status !== 422) {
            throw new Error(body.detail || body.title || `The server answered ${response.status}.`);
        }
        return body;
    }

    // XMLHttpRequest reports upload progress; fetch does not.
    function send(path, data, onProgress) {
        return new Promise((resolve, reject) => {
            const xhr = new XMLHttpRequest();
            xhr.open("POST", path);
            Object.entries(headers()).forEach(([k, v]) => xhr.setRequestHeader(k, v));
            xhr.upload.onprogress = e => onProgress(e.loaded);
            xhr.onload = () => {
                const body = xhr.responseText ? JSON.parse(xhr.responseText) : {};
                xhr.status < 300 || xhr.status === 422 ? resolve(body) : reject(new Error(body.detail || body.title || `The server answered ${xhr.status}.`));
            };
            xhr.onerror = () => reject(new Error("The connection was lost; press Upload again to send the rest."));
            xhr.send(data);
        });
    }

    function batches(files) {
        const result = [];
        let current = [], size = 0;
        for (const file of files) {
            if (current.length && (current.length >= batchFiles || size + file.size > batchBytes)) {
                result.push(current);
                current = [];
                size = 0;
            }
            current.push(file);
            size += file.size;
        }
        if (current.length) {
            result.push(current);
        }
        return result;
    }

    form.addEventListener("submit", async event => {
        event.preventDefault();
        const files = [...document.getElementById("files").files, ...document.getElementById("folder").files]
            .filter(f => !f.name.startsWith("."));
        const clinical = [...form.querySelectorAll("input.clinical")].filter(i => i.files.length > 0);
        if (files.length === 0 && clinical.length === 0) {
            say("Nothing chosen yet: choose files, a folder, a zip archive or a clinical CSV.");
            return;
        }
        uploadButton.disabled = true;
        problems.replaceChildren();
        try {
            if (!submissionId) {
                const request = document.getElementById("request").value;
                const created = await api("/api/submissions", {
                    method: "POST",
                    headers: { "Content-Type": "application/json" },
                    body: JSON.stringify({ channel: "browser", solicitationId: request || null }),
                });
                submissionId = created.id;
            }
            const total = files.reduce((sum, f) => sum + f.size, 0) || 1;
            let done = 0, received = 0;
            for (const batch of batches(files)) {
                const data = new FormData();
                batch.forEach(f => data.append("files", f, f.webkitRelativePath || f.name));
                const size = batch.reduce((sum, f) => sum + f.size, 0);
                const result = await send(`/api/submissions/${submissionId}/uploads`, data, loaded => {
                    progress.value = Math.round(100 * (done + Math.min(loaded, size)) / total);
                    say(`Sending… ${progress.value}%`);
                });
                done += size;
                received += result.files.length;
                result.refused.forEach(r => problem(`${r.name}: ${r.reason}`));
            }
            progress.value = 100;
            for (const input of clinical) {
                const data = new FormData();
                data.append("file", input.files[0], input.files[0].name);
                const result = await send(`/api/submissions/${submissionId}/clinical/${input.dataset.node}`, data, () => {});
                if (!result.accepted) {
                    problem(`${result.file}: ${count(result.findings.length, "problem")} in the CSV; the report lists each row and column.`);
                }
            }
            say(`Received ${count(received, "file")}${clinical.length ? ` and ${count(clinical.length, "clinical CSV")}` : ""}. Add more, or complete the submission.`);
            completeButton.disabled = false;
        } catch (error) {
            say(error.message);
        } finally {
            uploadButton.disabled = false;
        }
    });

    completeButton.addEventListener("click", async () => {
        completeButton.disabled = true;
        try {
            await api(`/api/submissions/${submissionId}/complete`, { method: "POST" });
            status.replaceChildren("Complete. The checks run now; ");
            const link = document.createElement("a");
            link.href = `/submissions/${submissionId}/report`;
            link.textContent = "open the submission's report";
            status.append(link, " to see what they find.");
            uploadButton.disabled = true;
        } catch (error) {
            say(error.message);
            completeButton.disabled = false;
        }
    });
})();
