/* Ordering pages (订单): cutoff countdowns and live cart quantity steppers.
   - [data-countdown][data-cutoff=ISO instant]: ticks every second as HH:MM:SS (with a days prefix, data-label-days, beyond 24 h); at zero shows
     data-label-closed. The server renders the same text, so without JavaScript the page
     still says when ordering closes.
   - form[data-stepper][data-live]: the − / + buttons step the quantity by the product's
     minimum (data-min) and order step (data-step) and the form is posted in the background
     (Accept: application/json); the cart badge ([data-cart-count], [data-cart-total]) and
     the field's error ([data-error]) are updated from the answer. Without JavaScript the
     same form posts normally and the server steps the quantity.
   No inline script (CSP script-src 'self'). */
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // "１２" typed with a Chinese input method counts as 12 (the server reads it so too)
  function wholeNumber(text) {
    var ascii = String(text || "").trim().replace(/[\uFF10-\uFF19]/g, function (ch) {
      return String.fromCharCode(ch.charCodeAt(0) - 0xFF10 + 48);
    });
    return /^\d+$/.test(ascii) ? parseInt(ascii, 10) : NaN;
  }

  function tick(el, cutoff) {
    var left = Math.floor((cutoff - Date.now()) / 1000);
    if (left <= 0) {
      el.textContent = el.getAttribute("data-label-closed") || "0";
      el.classList.add("closed");
      return false;
    }
    var d = Math.floor(left / 86400), h = Math.floor((left % 86400) / 3600);
    var m = Math.floor((left % 3600) / 60), s = left % 60;
    var days = d > 0 ? (el.getAttribute("data-label-days") || "{n} d").replace("{n}", d) + " " : "";
    el.textContent = days + pad(h) + ":" + pad(m) + ":" + pad(s);
    return true;
  }

  function startCountdown(el) {
    var cutoff = Date.parse(el.getAttribute("data-cutoff"));
    if (isNaN(cutoff)) { return; }
    if (!tick(el, cutoff)) { return; }
    var timer = window.setInterval(function () {
      if (!tick(el, cutoff)) { window.clearInterval(timer); }
    }, 1000);
  }

  function stepped(qty, direction, min, step) {
    if (direction > 0) {
      if (qty < min) { return min; }
      return min + Math.ceil((qty + 1 - min) / step) * step;
    }
    if (qty <= min) { return 0; }
    return min + Math.floor((qty - 1 - min) / step) * step;
  }

  function setAll(selector, text) {
    document.querySelectorAll(selector).forEach(function (el) { el.textContent = text; });
  }

  function showError(form, message) {
    var box = form.querySelector("[data-error]");
    var input = form.querySelector("input[name=qty]");
    if (box) {
      box.textContent = message || "";
      box.hidden = !message;
    }
    if (input) {
      if (message) { input.setAttribute("aria-invalid", "true"); }
      else { input.removeAttribute("aria-invalid"); }
    }
  }

  function live(form) {
    var input = form.querySelector("input[name=qty]");
    var min = parseInt(form.getAttribute("data-min"), 10) || 1;
    var step = parseInt(form.getAttribute("data-step"), 10) || 1;
    var busy = false, again = false;

    function send() {
      if (busy) { again = true; return; }
      busy = true;
      form.setAttribute("aria-busy", "true");
      var data = new FormData(form);
      data.delete("step");
      fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { Accept: "application/json" }
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (result.ok) {
          showError(form, "");
          if (!again) { input.value = result.body.qty ? String(result.body.qty) : ""; }
          setAll("[data-cart-count]", String(result.body.count));
          setAll("[data-cart-total]", result.body.total);
          var set = form.querySelector("button.set");
          if (set) {
            set.textContent = set.getAttribute(
              result.body.qty > 0 ? "data-label-update" : "data-label-add") || set.textContent;
          }
          var card = form.closest("[data-sku]");
          [form, card].forEach(function (el) {
            if (el) { el.classList.toggle("in-cart", result.body.qty > 0); }
          });
        } else {
          showError(form, (result.body.error && result.body.error.message) || "?");
        }
      }).catch(function () {
        form.submit();  // network trouble: fall back to the plain form post
      }).then(function () {
        busy = false;
        form.removeAttribute("aria-busy");
        if (again) { again = false; send(); }
      });
    }

    form.querySelectorAll("button[name=step]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        var typed = wholeNumber(input.value);
        var qty = isNaN(typed) || typed < 0 ? 0 : typed;
        var next = stepped(qty, parseInt(button.value, 10), min, step);
        input.value = next ? String(next) : "";
        send();
      });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send();
    });
  }

  document.querySelectorAll("[data-countdown][data-cutoff]").forEach(startCountdown);
  document.querySelectorAll("form[data-stepper][data-live]").forEach(live);
})();
