/* The kit's accessibility helper on every served page (inlined by
   index.html.j2 beside this file). ipywidgets 8 cannot put ARIA attributes
   on a widget from Python, and a widget's HTML cannot run scripts; the kit's
   widgets carry xs- classes instead (docs/ui-hooks.md, "Accessibility
   hooks"), and this script turns them into ARIA when an element appears and
   whenever its classes change (a MutationObserver):

   xs-live        a status that concerns the whole page (notices, sign-in
                  and action messages, dots left, the tool shown): role=status,
                  aria-atomic; aria-live polite, assertive while it shows an
                  error (xs-status-error, xs-message-error, xs-live-alert).
   xs-live-local  a save status under one box: the same, but polite only
                  while the focus is inside the box's own group (its parent
                  widget), so that the "Saved" of every box restored at
                  sign-in is not read out at once; "Saving..." is never
                  read; errors are always assertive.
   xs-quiet       a live region that says nothing while it has this class
                  (the page's "All your answers here are saved." and its
                  "Saving…": each box says its own; only trouble is read).
   xs-current     aria-current=true (the tool shown in the tool list).
   xs-radiogroup  native radios made one group: role=radiogroup, one shared
                  name (arrow keys move the choice), labelled by the heading
                  in the xs-group-label of the closest xs-group.
   xs-slider      an ipywidgets slider: its handle (role=slider, from
                  noUiSlider) is labelled by the widget's description and
                  says the readout's text (a SelectionSlider's label, not
                  its index) as aria-valuetext, kept so as it moves.

   xs-expander    a button that shows and hides a section ("About this
                  tool"): aria-expanded, true while it also has xs-expanded.
                  Its state is remembered in the browser (localStorage,
                  one key per section kind, xs-about-toggle): a new page, a
                  reload or another tool opens it as the visitor left it
                  (a click on the visitor's behalf when they differ).
   xs-maxlength-N a text box that takes at most N characters: maxlength=N
                  on its textarea or input (typing and pasting stop there).

   The live element is the widget's own outer element, which ipywidgets
   keeps while it only changes the text inside, so screen readers announce
   the change. Keep this file free of Jinja's delimiters: it is included as a
   template. */
(function () {
  "use strict";
  var ERROR = ".xs-status-error, .xs-message-error, .xs-live-alert";
  var QUIET = ".xs-status-editing, .xs-quiet";
  var HOOKS = ".xs-live, .xs-live-local, .xs-current, [data-xs-current], .xs-radiogroup, .xs-slider, .xs-expander, [class*='xs-maxlength-']";
  var REMEMBER = "xs-about-toggle";
  var count = 0;

  function id(el, prefix) {
    if (!el.id) {
      count += 1;
      el.id = prefix + "-" + count;
    }
    return el.id;
  }

  function set(el, name, value) {
    if (value === null) {
      if (el.hasAttribute(name)) el.removeAttribute(name);
    } else if (el.getAttribute(name) !== value) {
      el.setAttribute(name, value);
    }
  }

  function politeness(el) {
    if (el.matches(ERROR)) return "assertive";
    if (el.matches(QUIET)) return "off";
    if (!el.classList.contains("xs-live-local")) return "polite";
    var scope = el.parentElement;
    var focus = document.activeElement;
    return scope && focus && scope.contains(focus) ? "polite" : "off";
  }

  function live(el) {
    set(el, "role", "status");
    set(el, "aria-atomic", "true");
    set(el, "aria-live", politeness(el));
  }

  function current(el) {
    if (el.classList.contains("xs-current")) {
      set(el, "aria-current", "true");
      el.setAttribute("data-xs-current", "");
    } else {
      set(el, "aria-current", null);
      set(el, "data-xs-current", null);
    }
  }

  function radiogroup(el) {
    var box = el.querySelector(".widget-radio-box") || el;
    set(box, "role", "radiogroup");
    var name = id(el, "xs-radiogroup");
    var radios = box.querySelectorAll('input[type="radio"]');
    for (var i = 0; i < radios.length; i += 1) set(radios[i], "name", name);
    var group = el.closest(".xs-group");
    var heading = group && group.querySelector(".xs-group-label h1, .xs-group-label h2, .xs-group-label h3, .xs-group-label h4, .xs-group-label h5, .xs-group-label h6");
    if (heading) set(box, "aria-labelledby", id(heading, "xs-group-label"));
  }

  function slider(el) {
    var handle = el.querySelector(".noUi-handle");
    if (!handle) return;
    var label = el.querySelector(".widget-label");
    if (label && label.textContent.trim()) set(handle, "aria-labelledby", id(label, "xs-slider-label"));
    var readout = el.querySelector(".widget-readout");
    if (readout && readout.textContent.trim()) set(handle, "aria-valuetext", readout.textContent.trim());
  }

  function remembered() {
    try {
      return window.localStorage.getItem("xs-remember-" + REMEMBER);
    } catch (e) {
      return null;
    }
  }

  function expander(el) {
    var open = el.classList.contains("xs-expanded") ? "true" : "false";
    var before = el.getAttribute("aria-expanded");
    set(el, "aria-expanded", open);
    if (!el.classList.contains(REMEMBER)) return;
    if (!el.hasAttribute("data-xs-restored")) {
      // The first time this button is seen (ipywidgets may set its classes
      // after it is in the page): the visitor's last choice, once, as
      // their own click.
      el.setAttribute("data-xs-restored", "");
      var wanted = remembered();
      if (wanted !== null && wanted !== open && !el.disabled) el.click();
      return;
    }
    if (before !== null && before !== open) {
      try {
        window.localStorage.setItem("xs-remember-" + REMEMBER, open);
      } catch (e) {
        /* private mode: not remembered, still works */
      }
    }
  }

  function maxlength(el) {
    var m = /(?:^|\s)xs-maxlength-(\d+)(?:\s|$)/.exec(el.className);
    if (!m) return;
    var box = el.matches("textarea, input") ? el : el.querySelector("textarea, input");
    if (box) set(box, "maxlength", m[1]);
  }

  function apply(el) {
    if (el.nodeType !== 1) return;
    var within = el.closest(".xs-slider");
    if (within) slider(within);  // the slider itself, its handle or its readout changed
    if (el.matches(".xs-expander")) expander(el);
    if (el.matches("[class*='xs-maxlength-']")) maxlength(el);
    if (el.matches(".xs-live, .xs-live-local")) live(el);
    if (el.matches(".xs-current, [data-xs-current]")) current(el);
    if (el.matches(".xs-radiogroup")) radiogroup(el);
    if (el.matches(".xs-group-label")) {
      var group = el.closest(".xs-group");
      var inner = group && group.querySelectorAll(".xs-radiogroup");
      for (var i = 0; inner && i < inner.length; i += 1) radiogroup(inner[i]);
    }
  }

  function scan(root) {
    if (root.nodeType !== 1) return;
    apply(root);
    var found = root.querySelectorAll(HOOKS + ", .xs-group-label");
    for (var i = 0; i < found.length; i += 1) apply(found[i]);
    // A radio added inside a group (options redrawn) joins the group.
    var group = root.closest && root.closest(".xs-radiogroup");
    if (group && group !== root) radiogroup(group);
  }

  function refocus() {
    var local = document.querySelectorAll(".xs-live-local");
    for (var i = 0; i < local.length; i += 1) live(local[i]);
  }

  new MutationObserver(function (records) {
    for (var i = 0; i < records.length; i += 1) {
      var r = records[i];
      if (r.type === "attributes") {
        apply(r.target);
      } else {
        if (r.target.nodeType === 1 && r.target.closest(".xs-slider")) apply(r.target);  // a readout's new text
        for (var j = 0; j < r.addedNodes.length; j += 1) scan(r.addedNodes[j]);
      }
    }
  }).observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ["class", "aria-valuetext"] });
  document.addEventListener("focusin", refocus);
  document.addEventListener("focusout", function () {
    // The focus is on <body> between the two events: wait for its landing.
    setTimeout(refocus, 0);
  });
  scan(document.body || document.documentElement);
})();
