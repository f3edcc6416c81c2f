// The evaluation pages. The score sheet keeps what the inspector types: each item's fields are kept as a
// draft in this browser (localStorage) until the portal confirms it saved them; a failed save is retried
// every few seconds and as soon as the connection comes back. Without this script each item's form posts.
(function () {
  "use strict";
  var RETRY_MS = 5000;
  var DEBOUNCE_MS = 700;
  var pending = {};

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function csrfHeader() {
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      var name = Object.keys(headers)[0];
      return name ? [name, headers[name]] : null;
    } catch (e) { return null; }
  }

  function values(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "_csrf_token" || el.type === "file" || el.type === "submit") return;
      data[el.name] = el.type === "checkbox" ? (el.checked ? "on" : "") : el.value;
    });
    return data;
  }

  function fill(form, data) {
    Object.keys(data).forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (!el || el.type === "hidden") return;
      if (el.type === "checkbox") el.checked = data[name] === "on"; else el.value = data[name];
    });
  }

  function setState(form, state, text) {
    var el = form.querySelector(".save-state");
    if (!el) return;
    el.setAttribute("data-state", state);
    el.textContent = text || el.getAttribute("data-text-" + state) || "";
  }

  function clearErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll(".js-error"), function (el) { el.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) {
      el.removeAttribute("aria-invalid");
    });
  }

  function showErrors(form, errors) {
    clearErrors(form);
    Object.keys(errors || {}).forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (!el || !el.id) return;
      var p = document.createElement("p");
      p.className = "field-error js-error";
      p.id = "js-e-" + el.id;
      p.textContent = errors[name];
      el.setAttribute("aria-invalid", "true");
      el.setAttribute("aria-describedby", p.id);
      el.insertAdjacentElement("afterend", p);
    });
  }

  function keep(form) {
    var store = storage();
    if (store) store.setItem(form.getAttribute("data-draft"), JSON.stringify(values(form)));
  }

  function forget(form) {
    var store = storage();
    if (store) store.removeItem(form.getAttribute("data-draft"));
  }

  function retryLater(form) {
    pending[form.getAttribute("data-draft")] = form;
    setState(form, navigator.onLine ? "unsaved" : "offline");
  }

  function send(form) {
    var data = values(form);
    if (form.getAttribute("data-kind") !== "veto" && !String(data.points || "").trim()) {
      setState(form, "needspoints");
      return;
    }
    if (form.getAttribute("data-sending")) { form.setAttribute("data-again", "1"); return; }
    form.setAttribute("data-sending", "1");
    delete pending[form.getAttribute("data-draft")];
    setState(form, "saving");
    var headers = { Accept: "application/json" };
    var csrf = csrfHeader();
    if (csrf) headers[csrf[0]] = csrf[1];
    var body = new URLSearchParams();
    var token = form.elements.namedItem("_csrf_token");
    if (token) body.append("_csrf_token", token.value);
    Object.keys(data).forEach(function (name) { body.append(name, data[name]); });
    fetch(form.action, { method: "POST", body: body, headers: headers, credentials: "same-origin", redirect: "error" })
      .then(function (response) {
        return response.json().then(
          function (json) { return { response: response, json: json }; },
          function () { return { response: response, json: null }; }
        );
      })
      .then(function (answer) {
        if (answer.response.ok && answer.json && answer.json.saved) {
          clearErrors(form);
          if (JSON.stringify(values(form)) === JSON.stringify(data)) {
            forget(form);
            setState(form, "saved");
          } else {
            form.setAttribute("data-again", "1");
          }
        } else if (answer.json && (answer.response.status === 422 || answer.response.status === 409)) {
          showErrors(form, answer.json.errors);
          setState(form, "invalid", answer.json.message || "");
        } else {
          retryLater(form);
        }
      }, function () { retryLater(form); })
      .then(function () {
        form.removeAttribute("data-sending");
        if (form.getAttribute("data-again")) { form.removeAttribute("data-again"); send(form); }
      });
  }

  function retryAll() {
    if (!navigator.onLine) return;
    Object.keys(pending).forEach(function (key) { send(pending[key]); });
  }

  function showConnection() {
    var banner = document.getElementById("connection");
    if (banner) banner.hidden = navigator.onLine;
  }

  function setUp(form) {
    var timer = null;
    var store = storage();
    var draft = store ? store.getItem(form.getAttribute("data-draft")) : null;
    if (draft) {
      try { fill(form, JSON.parse(draft)); } catch (e) { forget(form); }
      setState(form, "unsaved");
      send(form);
    }
    function changed() {
      keep(form);
      setState(form, navigator.onLine ? "unsaved" : "offline");
      clearTimeout(timer);
      timer = setTimeout(function () { send(form); }, DEBOUNCE_MS);
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      keep(form);
      send(form);
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form.score-form[data-draft]"), setUp);
    window.addEventListener("online", function () { showConnection(); retryAll(); });
    window.addEventListener("offline", showConnection);
    showConnection();
    setInterval(retryAll, RETRY_MS);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
