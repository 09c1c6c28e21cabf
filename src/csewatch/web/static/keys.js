"use strict";
document.addEventListener("keydown", function (ev) {
  if (["TEXTAREA", "INPUT"].includes(document.activeElement.tagName)) return;
  var map = {v: "violating", n: "not_violating", e: "escalate", c: "need_context"};
  if (!map[ev.key]) return;
  document.querySelector('input[name=outcome][value=' + map[ev.key] + ']').checked = true;
  document.querySelector('textarea[name=rationale]').focus(); ev.preventDefault();
});
