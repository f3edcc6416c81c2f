// The hazards pages' small enhancements; every form works without them.
// A chosen photo is shown before it is sent, and a large phone photo is scaled down (longest side 1600 px,
// JPEG) so that it uploads quickly on a mobile connection and stays under the 8 MB limit.
(function () {
  var MAX_SIDE = 1600;
  var SCALE_FROM = 1.5 * 1024 * 1024;

  function preview(input, file) {
    var img = document.getElementById(input.getAttribute("data-photo-preview"));
    if (!img) return;
    if (!file) { img.hidden = true; img.removeAttribute("src"); return; }
    // A data: URL, because the page's Content-Security-Policy allows no blob: images.
    var reader = new FileReader();
    reader.onload = function () { img.src = reader.result; img.hidden = false; };
    reader.readAsDataURL(file);
  }

  function replaceFile(input, blob, name) {
    if (typeof DataTransfer === "undefined") return;
    var scaled = new File([blob], name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" });
    var transfer = new DataTransfer();
    transfer.items.add(scaled);
    input.files = transfer.files;
    preview(input, scaled);
  }

  function scale(input, file) {
    if (file.size < SCALE_FROM || !window.createImageBitmap || file.type === "image/heic") return;
    createImageBitmap(file).then(function (bitmap) {
      var ratio = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * ratio);
      canvas.height = Math.round(bitmap.height * ratio);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) { if (blob) replaceFile(input, blob, file.name); }, "image/jpeg", 0.85);
    }).catch(function () { /* the browser cannot decode it: the original is sent */ });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-photo-preview]")) return;
    var file = input.files && input.files[0];
    preview(input, file);
    if (file) scale(input, file);
  });
})();
