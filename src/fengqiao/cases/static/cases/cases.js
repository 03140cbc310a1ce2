/* The case pages' small behaviours: party rows, picking a registered person, the
   duplicate check on a changed ID number or phone, and "use my location". No inline
   scripts: everything is wired here by data attributes. */
(function () {
  "use strict";

  function addParty(button) {
    var form = button.closest("form");
    var total = form.querySelector("#id_party-TOTAL_FORMS");
    var template = document.getElementById("party-empty");
    var index = parseInt(total.value, 10);
    var max = parseInt(form.querySelector("#id_party-MAX_NUM_FORMS").value, 10);
    if (index >= max) return;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    document.getElementById("party-rows").appendChild(row);
    total.value = String(index + 1);
    if (window.htmx) window.htmx.process(row);
    var first = row.querySelector("select, input:not([type=hidden])");
    if (first) first.focus();
  }

  function removeParty(button) {
    var row = button.closest(".fq-party");
    row.querySelectorAll("input:not([type=hidden]), input[name$='-person']").forEach(function (input) {
      input.value = "";
    });
    row.hidden = true;
  }

  function pickPerson(button) {
    var row = button.closest(".fq-party");
    row.querySelector("input[name$='-person']").value = button.dataset.personId;
    var name = row.querySelector("input[name$='-name']");
    name.value = button.dataset.personName;
    name.readOnly = true;
    row.querySelector("[data-new-person]").hidden = true;
    var picked = row.querySelector("[data-picked]");
    picked.querySelector("[data-picked-label]").textContent = button.dataset.personLabel;
    picked.hidden = false;
    row.querySelector("[data-person-results]").innerHTML = "";
    checkSimilar();
  }

  function clearPerson(button) {
    var row = button.closest(".fq-party");
    row.querySelector("input[name$='-person']").value = "";
    var name = row.querySelector("input[name$='-name']");
    name.readOnly = false;
    name.value = "";
    row.querySelector("[data-new-person]").hidden = false;
    row.querySelector("[data-picked]").hidden = true;
  }

  function checkSimilar() {
    var target = document.getElementById("similar");
    if (target && window.htmx) window.htmx.trigger(target, "check-similar");
  }

  function locate(button) {
    var status = document.querySelector("[data-locate-status]");
    if (!navigator.geolocation) {
      if (status) status.textContent = button.dataset.unsupported;
      return;
    }
    if (status) status.textContent = button.dataset.waiting;
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        document.getElementById("id_latitude").value = pos.coords.latitude.toFixed(6);
        document.getElementById("id_longitude").value = pos.coords.longitude.toFixed(6);
        if (status) status.textContent = button.dataset.done;
      },
      function () {
        if (status) status.textContent = button.dataset.failed;
      },
      { enableHighAccuracy: true, timeout: 15000 }
    );
  }

  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-add-party], [data-remove-party], [data-pick-person], [data-clear-person], [data-locate]");
    if (!el) return;
    event.preventDefault();
    if (el.hasAttribute("data-add-party")) addParty(el);
    else if (el.hasAttribute("data-remove-party")) removeParty(el);
    else if (el.hasAttribute("data-pick-person")) pickPerson(el);
    else if (el.hasAttribute("data-clear-person")) clearPerson(el);
    else if (el.hasAttribute("data-locate")) locate(el);
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-duplicate-check]")) checkSimilar();
    if (event.target.matches("[data-autosubmit]")) event.target.form.requestSubmit();
  });

  // Enter in a person search box searches instead of submitting the whole form.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("[data-person-search]")) {
      event.preventDefault();
      if (window.htmx) window.htmx.trigger(event.target, "search");
    }
  });
})();
