/* The queue's keyboard shortcuts (no framework; the CSP forbids inline scripts, so this is a file).
 *   j / k  next / previous case     o  open the current case     c  claim the current case
 *   /      focus the header search  ?  show or hide the help (a <dialog>; Esc closes it too)
 * Shortcuts are off while typing in a field, and with Ctrl, Alt or Meta held (the browser's own keys).
 */
(function () {
  "use strict";

  var current = -1;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-queue-row]"));
  }

  function select(index) {
    var all = rows();
    if (!all.length) return;
    index = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row, i) {
      row.classList.toggle("is-current", i === index);
      if (i === index) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    });
    current = index;
    all[index].focus();
  }

  function currentRow() {
    var all = rows();
    if (current < 0) {
      // A row the user tabbed into counts as current.
      var focused = document.activeElement && document.activeElement.closest("[data-queue-row]");
      current = focused ? all.indexOf(focused) : -1;
    }
    return current >= 0 ? all[current] : null;
  }

  function claim(row) {
    var form = document.getElementById("bulk-form");
    var button = document.getElementById("bulk-claim");
    if (!form || !button || !row) return;
    form.querySelectorAll("input[name=case]").forEach(function (box) {
      box.checked = false;
    });
    row.querySelector("input[name=case]").checked = true;
    form.requestSubmit(button);
  }

  function toggleHelp() {
    var help = document.getElementById("shortcut-help");
    if (!help) return;
    if (help.open) help.close();
    else help.showModal();
  }

  // Keys typed into a field are text; a focused checkbox or button takes no letters, so the
  // shortcuts still work there (a row's own checkbox, for one).
  var NOT_TEXT = ["checkbox", "radio", "button", "submit", "reset"];

  function typing(target) {
    if (!target || !target.closest) return false;
    if (target.tagName === "INPUT") return NOT_TEXT.indexOf(target.type) === -1;
    return Boolean(target.closest("textarea, select, [contenteditable=true]"));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) return;
    var help = document.getElementById("shortcut-help");
    if (help && help.open && event.key !== "?") return; // the dialog has the keyboard
    if (typing(event.target)) return;
    var row;
    switch (event.key) {
      case "j":
        row = currentRow();
        select(row ? current + 1 : 0);
        break;
      case "k":
        row = currentRow();
        select(row ? current - 1 : 0);
        break;
      case "o":
        row = currentRow();
        if (!row) return;
        window.location.assign(row.querySelector("a[data-open]").href);
        break;
      case "c":
        row = currentRow();
        if (!row) return;
        claim(row);
        break;
      case "/":
        var search = document.getElementById("site-search");
        if (!search) return;
        search.focus();
        break;
      case "?":
        toggleHelp();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () {
    var open = document.getElementById("shortcut-help-open");
    if (open) open.addEventListener("click", toggleHelp);
    rows().forEach(function (row, i) {
      row.addEventListener("focusin", function () {
        current = i;
      });
    });
  });
})();
