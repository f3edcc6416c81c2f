// Small progressive enhancements; every page works without them.
document.addEventListener("htmx:xhr:progress", function (event) {
  var bar = document.getElementById("upload-progress");
  if (!bar || !event.detail.lengthComputable) return;
  var done = Math.round((event.detail.loaded / event.detail.total) * 100);
  bar.value = done;
  var indicator = document.getElementById("import-progress");
  if (indicator) indicator.classList.toggle("uploaded", done >= 100);
});
document.addEventListener("htmx:beforeRequest", function (event) {
  var indicator = document.getElementById("import-progress");
  if (indicator && event.detail.elt && event.detail.elt.id === "import-form") {
    indicator.classList.remove("uploaded");
    document.getElementById("upload-progress").value = 0;
  }
});
// An error message swapped into the alert area is announced and brought into view.
document.addEventListener("htmx:afterSwap", function (event) {
  if (event.detail.target && event.detail.target.id === "alerts") {
    event.detail.target.scrollIntoView({ block: "nearest" });
  }
});
