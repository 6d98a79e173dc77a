// briefing serve: keeps a preview page in step with the project. The server pushes its state over server-sent
// events (/events) whenever it changes: the problems of the last build, the version of every rendered file,
// and whether it is rendering. A preview reloads its brief when the brief's version changes, keeping the
// reader's place; the index reloads when the list of briefs changes. Text from the server is set as text only.
"use strict";
(() => {
  const body = document.body;
  const file = body.dataset.file || null;        // "brief.audience.html" on a preview, none on the index
  let version = body.dataset.version || "";
  let pairs = body.dataset.pairs || "";
  const frame = document.getElementById("brief");
  const status = document.getElementById("status");
  const panel = document.getElementById("problems");
  const list = panel ? panel.querySelector("ul") : null;

  function showProblems(problems) {
    if (!panel) return;
    list.replaceChildren(...problems.map((p) => {
      const item = document.createElement("li");
      const where = document.createElement("code");
      where.textContent = p.text;
      item.append(where);
      if (p.hint) {
        const hint = document.createElement("span");
        hint.className = "hint";
        hint.textContent = p.hint;
        item.append(hint);
      }
      return item;
    }));
    panel.hidden = problems.length === 0;
  }

  function reloadFrame() {
    let y = 0;
    try { y = frame.contentWindow.scrollY; } catch (e) { /* not loaded yet */ }
    frame.addEventListener("load", () => {
      try { frame.contentWindow.scrollTo(0, y); } catch (e) { /* a PDF viewer */ }
    }, { once: true });
    frame.src = frame.dataset.src + "?v=" + encodeURIComponent(version);
  }

  // naming the file it shows, so that the server renders that one's PDF first
  const source = new EventSource("/events" + (file ? "?file=" + encodeURIComponent(file) : ""));
  source.addEventListener("state", (event) => {
    const state = JSON.parse(event.data);
    showProblems(state.problems);
    if (status) status.textContent = state.busy ? "Rendering…" : state.problems.length ? "Problems: showing the last good version" : "Up to date";
    if (file === null) {
      if (state.pairs !== pairs) location.reload();
      return;
    }
    const now = state.versions[file] || "";
    if (now && now !== version) {
      const first = version === "";
      version = now;
      if (first || !frame) location.reload(); else reloadFrame();
    }
  });
})();
