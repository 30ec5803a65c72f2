/* The connection banner of every served page (toolkit/serve/templates/page).

   A page saves through its kernel's websocket. When that connection is lost
   (the server stopped, the laptop left the network) typing still works but
   nothing reaches the store, so the page says so plainly, within a few
   seconds, in a banner (class xs-connection-banner, role=alert) at the top,
   and hides it when the connection is back. What was typed stays in the box.

   Three signals, any one of which shows the banner:
   - the page's kernel connection (window.xsPage, set by the kit's front
     end, or window.jupyterapp's widget manager under Voila's;
     @jupyterlab/services' connectionStatus: "connected", "connecting",
     "disconnected");
   - a cheap same-origin request every few seconds (a HEAD of this page's
     stylesheet, never cached): a network that silently dropped keeps a
     websocket "open" for minutes;
   - the browser's offline event.
   When the server answers again and the kernel connection has given up, it
   is asked to reconnect; messages typed meanwhile are sent on reconnection
   by @jupyterlab/services. No request leaves this server. */
(function () {
  "use strict";

  var script = document.currentScript;
  var PING_URL = (script && script.dataset.ping) || "";
  var PING_EVERY_MS = 3000;
  var PING_TIMEOUT_MS = 4000;
  var REJOIN_AFTER_MS = 20000;
  var LOST = "Connection to the workshop lost: your last edits are not saved. Keep this page open; we\u2019ll reconnect\u2026";
  var GONE = "The workshop is reachable again, but this page could not rejoin it: your last edits are not saved. " +
    "Copy any text that does not say \u201cSaved\u201d, then reload the page.";

  var state = {
    offline: typeof navigator.onLine === "boolean" ? !navigator.onLine : false,
    serverDown: false,
    kernel: null,          // the widget manager's kernel connection, once known
    kernelUp: false,       // it was connected at least once and is now
    lostSince: 0,          // when the kernel connection was last lost (ms)
    lastReconnect: 0
  };
  var banner = null;

  function ensureBanner() {
    if (banner || !document.body) {
      return banner;
    }
    banner = document.createElement("div");
    banner.className = "xs-connection-banner";
    banner.setAttribute("role", "alert");
    banner.hidden = true;
    document.body.insertBefore(banner, document.body.firstChild);
    return banner;
  }

  function kernelLost() {
    return state.kernel !== null && !state.kernelUp;
  }

  function render() {
    var lost = state.offline || state.serverDown || kernelLost();
    var el = ensureBanner();
    if (!el) {
      return;
    }
    var text = "";
    if (lost) {
      var serverBack = !state.offline && !state.serverDown;
      text = serverBack && state.lostSince && Date.now() - state.lostSince > REJOIN_AFTER_MS &&
        state.kernel && state.kernel.connectionStatus === "disconnected" ? GONE : LOST;
    }
    if (el.textContent !== text) {
      el.textContent = text;  // a changed alert is read out once
    }
    el.hidden = !lost;
    document.documentElement.classList.toggle("xs-connection-lost", lost);
  }

  function kernelStatus(status) {
    var up = status === "connected";
    if (state.kernelUp && !up) {
      state.lostSince = Date.now();
    }
    state.kernelUp = up;
    if (up) {
      state.lostSince = 0;
    }
    render();
  }

  function rejoin() {
    // The server answers: a kernel connection that gave up tries again.
    var kernel = state.kernel;
    if (!kernel || state.kernelUp || kernel.connectionStatus !== "disconnected" || kernel.isDisposed) {
      return;
    }
    if (Date.now() - state.lastReconnect < PING_EVERY_MS * 3) {
      return;
    }
    state.lastReconnect = Date.now();
    try {
      var done = kernel.reconnect();
      if (done && typeof done.catch === "function") {
        done.catch(function () {});
      }
    } catch (e) {
      /* tried again on the next answer */
    }
  }

  function ping() {
    if (!PING_URL || typeof fetch !== "function") {
      return;
    }
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = setTimeout(function () {
      if (controller) {
        controller.abort();
      }
    }, PING_TIMEOUT_MS);
    var url = PING_URL + (PING_URL.indexOf("?") < 0 ? "?" : "&") + "t=" + Date.now();
    fetch(url, {method: "HEAD", cache: "no-store", credentials: "same-origin", signal: controller ? controller.signal : undefined})
      .then(function () {
        // Any answer, even an error page, means the server is there.
        state.serverDown = false;
        rejoin();
      }, function () {
        state.serverDown = true;
      })
      .then(function () {
        clearTimeout(timer);
        render();
        setTimeout(ping, PING_EVERY_MS);
      });
  }

  function watchKernel(kernel) {
    if (!kernel || state.kernel === kernel) {
      return;
    }
    state.kernel = kernel;
    state.kernelUp = kernel.connectionStatus === "connected";
    if (kernel.connectionStatusChanged && kernel.connectionStatusChanged.connect) {
      kernel.connectionStatusChanged.connect(function (_sender, status) {
        kernelStatus(status);
      });
    }
    render();
  }

  function findKernel() {
    // The kit's front end (front_end/page.js) sets window.xsPage; Voila's
    // own sets window.jupyterapp once the page has started, whose widget
    // manager holds the page's kernel connection.
    var app = window.jupyterapp;
    var kernel = (window.xsPage && window.xsPage.kernel) || (app && app.widgetManager && app.widgetManager.kernel);
    if (kernel) {
      watchKernel(kernel);
      return;
    }
    setTimeout(findKernel, 500);
  }

  window.addEventListener("offline", function () {
    state.offline = true;
    render();
  });
  window.addEventListener("online", function () {
    state.offline = false;
    render();
  });
  document.addEventListener("DOMContentLoaded", render);
  findKernel();
  setTimeout(ping, PING_EVERY_MS);
})();
