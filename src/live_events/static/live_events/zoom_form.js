// The Zoom meeting form: "add another session" adds a row here (the server does the same without
// JavaScript), and the upload option shows only while cloud recording is on.
(function () {
  "use strict";
  var form = document.getElementById("zoom-event-form");
  if (!form) { return; }

  var list = form.querySelector("[data-session-list]");
  var template = document.getElementById("session-template");
  var total = form.querySelector("input[name=sessions-TOTAL_FORMS]");
  var addButton = form.querySelector("[data-add-session]");
  if (list && template && total && addButton) {
    addButton.addEventListener("click", function (event) {
      event.preventDefault();
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      list.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var rows = list.querySelectorAll("[data-session-row]");
      var row = rows[rows.length - 1];
      row.querySelector("[data-session-number]").textContent = String(rows.length);
      var previous = rows.length > 1 ? rows[rows.length - 2] : null;
      if (previous) {
        // A new session starts from the last one's zone and duration: builders rarely change them.
        ["time_zone", "duration_minutes"].forEach(function (name) {
          var from = previous.querySelector("[name$=-" + name + "]");
          var to = row.querySelector("[name$=-" + name + "]");
          if (from && to) { to.value = from.value; }
        });
      }
      row.querySelector("input[type=datetime-local]").focus();
    });
  }

  // Unticking the option a field depends on unticks and hides the field. On load nothing is
  // unticked: the page may be the server's answer to a post that had the field ticked without its
  // option (refused, with the error beside it), and the builder must see what they sent.
  form.querySelectorAll("[data-shown-with]").forEach(function (field) {
    var toggle = form.querySelector("[name=" + field.dataset.shownWith + "]");
    var box = field.querySelector("input");
    if (!toggle || !box) { return; }
    function show() { field.hidden = !toggle.checked && !box.checked; }
    toggle.addEventListener("change", function () {
      if (!toggle.checked) { box.checked = false; }
      show();
    });
    show();
  });
})();
