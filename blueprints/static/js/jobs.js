/* Jobs page: while a job is queued or running, poll GET /api/v1/jobs/<id> every second and
   move its progress bar; when it ends, reload so the page shows the result or the error and
   the retry button. Elements: [data-job-url][data-status] containing [data-job-bar],
   [data-job-field=status|progress|message]. No inline script (CSP script-src 'self'). */
(function () {
  "use strict";
  var ACTIVE = { queued: true, running: true };
  var BADGE = { finished: "ok", failed: "bad", running: "warn", queued: "" };
  var INTERVAL_MS = 1000;
  var MAX_ERRORS = 5;

  function setField(box, name, text) {
    var el = box.querySelector('[data-job-field="' + name + '"]');
    if (el) { el.textContent = text; }
    return el;
  }

  function render(box, job) {
    var bar = box.querySelector("[data-job-bar]");
    if (bar) {
      bar.setAttribute("aria-valuenow", String(job.progress));
      bar.classList.toggle("failed", job.status === "failed");
      var fill = bar.querySelector("span");
      if (fill) { fill.style.width = job.progress + "%"; }
    }
    setField(box, "progress", String(job.progress));
    setField(box, "message", job.message || "");
    var badge = setField(box, "status", box.getAttribute("data-label-" + job.status) || job.status);
    if (badge) { badge.className = "badge " + (BADGE[job.status] || ""); }
    box.setAttribute("data-status", job.status);
  }

  function follow(box) {
    var url = box.getAttribute("data-job-url");
    var errors = 0;
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (job) {
          errors = 0;
          render(box, job);
          if (ACTIVE[job.status]) { window.setTimeout(poll, INTERVAL_MS); }
          else { window.location.reload(); }
        })
        .catch(function () {
          errors += 1;  // a network blip: keep trying a little, then leave the page as is
          if (errors < MAX_ERRORS) { window.setTimeout(poll, INTERVAL_MS * 2); }
        });
    }
    window.setTimeout(poll, INTERVAL_MS);
  }

  document.querySelectorAll("[data-job-url]").forEach(function (box) {
    if (ACTIVE[box.getAttribute("data-status")]) { follow(box); }
  });
})();
