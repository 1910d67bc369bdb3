// The opportunity board: drag a card to another column to move the deal. Every card keeps its
// own "Move to" form, which is the keyboard way (and, without JavaScript, the only way: the
// server then asks for a won or lost deal's close date on a page of its own). A move to won or
// lost opens a dialog for the close date and, for lost, the reason; the move itself is always
// an ordinary POST to the deal's move page, so the server's checks and messages apply.
(function () {
  "use strict";
  var board = document.querySelector(".board[data-board]");
  if (!board) return;
  var dialog = document.getElementById("close-dialog");
  var dialogForm = dialog ? dialog.querySelector("form") : null;
  var dragged = null;
  var returnFocus = null;

  function column(stageId) {
    return board.querySelector('.board-column[data-stage="' + stageId + '"]');
  }

  function closes(target) {
    return target.dataset.kind === "won" || target.dataset.kind === "lost";
  }

  function ask(card, form, target) {
    if (!dialogForm || typeof dialog.showModal !== "function") {
      form.elements.stage.value = target.dataset.stage;
      form.submit(); // the server asks on the move page
      return;
    }
    var lost = target.dataset.kind === "lost";
    dialogForm.action = form.action;
    dialogForm.elements.stage.value = target.dataset.stage;
    dialog.querySelector("[data-deal]").textContent = card.dataset.name;
    dialog.querySelector("[data-stage-name]").textContent = target.dataset.name;
    dialog.querySelector(".lost-only").hidden = !lost;
    dialogForm.elements.lost_reason.required = lost;
    returnFocus = form.elements.stage;
    dialog.showModal();
    dialogForm.elements.close_date.focus();
  }

  function move(card, stageId) {
    var form = card.querySelector("form.move-form");
    var target = column(stageId);
    if (!form || !target || stageId === card.dataset.stage) return;
    if (closes(target)) {
      ask(card, form, target);
      return;
    }
    form.elements.stage.value = stageId;
    form.submit();
  }

  // The card's own form (keyboard, or a tap on a phone): won and lost ask first.
  board.querySelectorAll("form.move-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var card = form.closest(".board-card");
      var target = column(form.elements.stage.value);
      if (card && target && closes(target) && target.dataset.stage !== card.dataset.stage) {
        event.preventDefault();
        ask(card, form, target);
      }
    });
  });

  board.querySelectorAll('.board-card[draggable="true"]').forEach(function (card) {
    card.addEventListener("dragstart", function (event) {
      dragged = card;
      card.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.dataset.name);
    });
    card.addEventListener("dragend", function () {
      card.classList.remove("dragging");
      dragged = null;
    });
  });

  board.querySelectorAll(".board-column").forEach(function (target) {
    target.addEventListener("dragover", function (event) {
      if (!dragged) return;
      event.preventDefault(); // allows the drop
      event.dataTransfer.dropEffect = "move";
      target.classList.add("drop-target");
    });
    target.addEventListener("dragleave", function (event) {
      if (!target.contains(event.relatedTarget)) target.classList.remove("drop-target");
    });
    target.addEventListener("drop", function (event) {
      event.preventDefault();
      target.classList.remove("drop-target");
      if (dragged) move(dragged, target.dataset.stage);
    });
  });

  if (dialog) {
    dialog.querySelector("[data-close-dialog]").addEventListener("click", function () {
      dialog.close();
    });
    dialog.addEventListener("close", function () {
      if (!returnFocus) return;
      // cancelled (Escape or Cancel): the card's control shows the deal's stage again
      var card = returnFocus.closest(".board-card");
      if (card) returnFocus.value = card.dataset.stage;
      returnFocus.focus();
    });
  }
})();
