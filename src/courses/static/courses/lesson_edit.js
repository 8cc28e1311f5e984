// Edit mode of a lesson page: (+) Add opens the Components menu as a modal dialog, and an entry
// with a pop-up of its own (data-dialog) opens that one instead of leaving the page. Without
// JavaScript every link still leads to a page that does the same.
(function () {
  "use strict";
  var menu = document.getElementById("components-menu");
  if (!menu || typeof menu.showModal !== "function") { return; }
  var position = "";
  var opener = null;

  function withPosition(href) {
    var url = new URL(href, window.location.href);
    if (position) { url.searchParams.set("position", position); } else { url.searchParams.delete("position"); }
    return url.pathname + url.search;
  }

  document.querySelectorAll(".add-link").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      position = link.dataset.position || "";
      opener = link;
      menu.querySelectorAll(".component-choice").forEach(function (choice) {
        choice.setAttribute("href", withPosition(choice.getAttribute("href")));
      });
      menu.showModal();
    });
  });

  menu.querySelectorAll(".component-choice[data-dialog]").forEach(function (choice) {
    choice.addEventListener("click", function (event) {
      var dialog = document.getElementById(choice.dataset.dialog);
      if (!dialog) { return; }
      event.preventDefault();
      dialog.querySelectorAll("input[name=position]").forEach(function (input) { input.value = position; });
      menu.close();
      dialog.showModal();
    });
  });

  document.querySelectorAll("dialog.dialog").forEach(function (dialog) {
    dialog.addEventListener("close", function () {
      if (opener && !document.querySelector("dialog[open]")) { opener.focus(); }
    });
  });
})();
