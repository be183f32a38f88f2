// Drag and drop for a rank list (templates/matching/rounds/rank.html and slot_rank.html).
// The page works without it: the move buttons reorder by keyboard or click, through the server.
// Dragging reorders the list in place; the hidden inputs follow the new order, and "Save the
// order" sends it.
(function () {
  "use strict";
  document.querySelectorAll("[data-rank-list]").forEach(function (form) {
    var list = form.querySelector(".rank-list");
    var unsaved = form.querySelector("[data-rank-unsaved]");
    var dragged = null;
    if (!list) return;
    list.addEventListener("dragstart", function (event) {
      var item = event.target.closest("[data-rank-item]");
      if (!item || item.getAttribute("draggable") !== "true") return;
      dragged = item;
      item.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", "");
    });
    list.addEventListener("dragover", function (event) {
      var over = event.target.closest("[data-rank-item]");
      if (!dragged || !over || over === dragged) return;
      event.preventDefault();
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? over.nextSibling : over);
    });
    list.addEventListener("drop", function (event) { event.preventDefault(); });
    list.addEventListener("dragend", function () {
      if (!dragged) return;
      dragged.classList.remove("dragging");
      dragged = null;
      if (unsaved) unsaved.hidden = false;
    });
  });
})();
