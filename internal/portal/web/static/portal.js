// Roster portal: small enhancements only. Every flow works without this
// file; it filters long client lists, follows the role's client rule in the
// invite form, keeps a feature's View permission on, and closes menus.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // Filter a client picker by name.
  document.querySelectorAll("[data-picker]").forEach(function (picker) {
    var input = picker.querySelector("[data-picker-filter]");
    if (!input) return;
    input.hidden = false;
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      picker.querySelectorAll(".picker-list li").forEach(function (li) {
        li.hidden = q !== "" && li.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
  });

  // Invite form: the role's client rule decides what the client choice means.
  var form = document.getElementById("invite-form");
  var access = document.getElementById("client-access");
  if (form && access) {
    var sync = function () {
      var role = form.querySelector("input[name=role]:checked") || form.querySelector("input[name=role][type=hidden]");
      var rule = role ? role.getAttribute("data-rule") : "";
      var modes = access.querySelectorAll("input[name=client_mode]");
      access.hidden = rule === "all" || rule === "none";
      modes.forEach(function (m) {
        m.disabled = rule === "specific" && m.value === "all";
        if (rule === "specific" && m.value === "specific") m.checked = true;
      });
      var mode = access.querySelector("input[name=client_mode]:checked");
      access.classList.toggle("is-all", !!mode && mode.value === "all");
    };
    form.addEventListener("change", sync);
    sync();
  }

  // Role form: choosing any permission of a feature keeps its View on.
  var roleForm = document.getElementById("role-form");
  if (roleForm) {
    var keepView = function (row) {
      var view = row.querySelector("input[data-view]");
      if (!view) return;
      var others = Array.prototype.some.call(row.querySelectorAll("input[name=permissions]:not([data-view])"), function (c) { return c.checked; });
      if (others) view.checked = true;
      view.disabled = others && !view.hasAttribute("data-readonly");
    };
    roleForm.querySelectorAll("tr[data-feature]").forEach(function (row) {
      if (row.querySelector("input:disabled")) return; // read-only role
      row.addEventListener("change", function () { keepView(row); });
      keepView(row);
    });
    // Disabled inputs are not sent: enable View again before submitting.
    roleForm.addEventListener("submit", function () {
      roleForm.querySelectorAll("input[data-view]").forEach(function (v) { v.disabled = false; });
    });
  }

  // Close an open menu on Escape or a click elsewhere.
  document.addEventListener("click", function (e) {
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      if (!d.contains(e.target)) d.open = false;
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      d.open = false;
      var s = d.querySelector("summary");
      if (s) s.focus();
    });
  });
});
