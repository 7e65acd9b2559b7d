// The console's small script: it only improves pages that work without it.
(function () {
  "use strict";
  // Uploads: say how large the chosen file is against the limit, and show the upload's
  // progress while the form is sent.
  document.addEventListener("change", function (e) {
    var input = e.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
    var limit = Number(input.dataset.maxBytes || 0);
    var note = document.getElementById(input.id + "-size");
    var file = input.files && input.files[0];
    if (!note || !file) return;
    var mb = (file.size / 1048576).toFixed(1);
    note.textContent = (note.dataset.template || "{size} MB").replace("{size}", mb);
    var tooLarge = limit > 0 && file.size > limit;
    note.classList.toggle("field-error-text", tooLarge);
    input.setCustomValidity(tooLarge ? (note.dataset.tooLarge || "too large") : "");
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.querySelector("input[type=file]")) return;
    var bar = form.querySelector("progress");
    if (!bar || !window.XMLHttpRequest || !window.FormData) return;
    e.preventDefault();
    var xhr = new XMLHttpRequest();
    // A button may send the form elsewhere (a dry run).
    var by = e.submitter;
    var action = by && by.hasAttribute("formaction") ? by.formAction : form.action;
    xhr.open(form.method || "POST", action);
    bar.hidden = false;
    var busy = form.querySelector("[data-busy]");
    xhr.upload.addEventListener("progress", function (p) {
      if (p.lengthComputable) { bar.max = p.total; bar.value = p.loaded; }
    });
    // Sent: the server is at work now; the bar keeps moving until the answer comes.
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value");
      if (busy) busy.hidden = false;
    });
    xhr.addEventListener("load", function () {
      document.open();
      document.write(xhr.responseText);
      document.close();
      if (xhr.responseURL) history.replaceState(null, "", xhr.responseURL);
    });
    xhr.send(new FormData(form));
  });
  // Buttons that print the page (receipts).
  document.addEventListener("click", function (e) {
    var t = e.target;
    if (t instanceof HTMLElement && t.dataset.print !== undefined) { window.print(); }
  });
})();
