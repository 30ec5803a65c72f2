/* The served pages' front end (toolkit/serve/page_bundle.py builds it).

   Voila's own front end is a JupyterLab application: 1.2 MB compressed for
   a first visit, most of it editors, renderers and icons a workshop page
   never shows, and forty people arriving on one venue Wi-Fi wait for the
   link. A page here is markdown Voila has already rendered to HTML plus
   widget views, so this script does only what those need:

   - connect to the page's kernel (its id is in the page's config, written
     by Voila) with @jupyterlab/services, as Voila's front end does;
   - fetch every widget's state from the kernel (ipywidgets' control comm,
     through @jupyter-widgets/base-manager) and draw each widget view Voila
     left in the page, with ipywidgets' own views and styles, so a page
     looks and behaves as under Voila's front end;
   - give the kernel back when the page is left (Voila's shutdown beacon);
   - after a lost connection comes back, fetch the states again.

   Any other output is shown as plain text, never as HTML. The connection
   banner (../static/connection.js) finds the kernel in window.xsPage. */

import { ServerConnection } from "@jupyterlab/services/lib/serverconnection";
import { KernelConnection } from "@jupyterlab/services/lib/kernel/default";
import * as base from "@jupyter-widgets/base";
import { ManagerBase } from "@jupyter-widgets/base-manager";
import * as controls from "@jupyter-widgets/controls";
import { Widget } from "@lumino/widgets";
import "@lumino/widgets/style/widget.css";
import "@jupyter-widgets/base/css/index.css";
import "@jupyter-widgets/controls/css/widgets.css";
import "./icons.css";
import "./page.css";

const OUTPUT = "application/vnd.voila.cell-output+json";
const VIEW = "application/vnd.jupyter.widget-view+json";
const MISSING = "This part of the page did not load. Reload the page to try again: your saved answers come back.";
const MODULES = {
  "@jupyter-widgets/base": base,
  "@jupyter-widgets/controls": controls,
};

class PageWidgets extends ManagerBase {
  constructor(kernel) {
    super();
    this.kernel = kernel;
    kernel.registerCommTarget(this.comm_target_name, (comm, msg) =>
      this.handle_comm_open(new base.shims.services.Comm(comm), msg));
  }

  async loadClass(className, moduleName) {
    const found = MODULES[moduleName] && MODULES[moduleName][className];
    if (!found) {
      throw new Error(`This page cannot show a ${moduleName} ${className}`);
    }
    return found;
  }

  async _create_comm(target, modelId, data, metadata, buffers) {
    const comm = this.kernel.createComm(target, modelId);
    if (data || metadata) {
      comm.open(data, metadata, buffers);
    }
    return new base.shims.services.Comm(comm);
  }

  async _get_comm_info() {
    const reply = await this.kernel.requestCommInfo({ target_name: this.comm_target_name });
    return reply.content.status === "ok" ? reply.content.comms : {};
  }
}

function plainText(output) {
  if (output.output_type === "stream") {
    return output.text;
  }
  if (output.output_type === "error") {
    return `${output.ename}: ${output.evalue}`;
  }
  const text = output.data && output.data["text/plain"];
  return Array.isArray(text) ? text.join("") : text || "";
}

async function drawOutput(widgets, script) {
  const output = JSON.parse(script.textContent);
  const host = document.createElement("div");
  host.className = "jp-OutputArea-output";
  script.replaceWith(host);
  const view = output.data && output.data[VIEW];
  if (view && widgets.has_model(view.model_id)) {
    const model = await widgets.get_model(view.model_id);
    const shown = await widgets.create_view(model);
    Widget.attach(shown.luminoWidget, host);
    return;
  }
  const pre = document.createElement("pre");
  // A widget whose state never arrived is a reload away, not its repr.
  pre.textContent = view ? MISSING : plainText(output);
  host.appendChild(pre);
}

function showCells() {
  // The template's spinner stays until the page is drawn (Voila's helper).
  window.themeLoaded = true;
  if (window.display_cells) {
    window.display_cells();
  }
}

function giveBackOnLeave(kernel, baseUrl) {
  window.addEventListener("beforeunload", () => {
    const data = new FormData();
    const xsrf = document.cookie.match("\\b_xsrf=([^;]*)\\b");
    data.append("_xsrf", (xsrf && xsrf[1]) || "");
    navigator.sendBeacon(`${baseUrl}voila/api/shutdown/${kernel.id}`, data);
    kernel.dispose();
  });
}

async function main() {
  const config = JSON.parse(document.getElementById("jupyter-config-data").textContent);
  const serverSettings = ServerConnection.makeSettings({ baseUrl: config.baseUrl });
  const kernel = new KernelConnection({
    model: { id: config.kernelId, name: "python3" },
    serverSettings,
  });
  const widgets = new PageWidgets(kernel);
  window.xsPage = { kernel, widgets };
  giveBackOnLeave(kernel, config.baseUrl);
  let drawn = false;
  kernel.connectionStatusChanged.connect((_sender, status) => {
    if (status === "connected" && drawn) {
      widgets._loadFromKernel().catch((err) => console.error(err));
    }
  });
  try {
    await widgets._loadFromKernel();
    const outputs = Array.from(document.querySelectorAll(`script[type="${OUTPUT}"]`));
    await Promise.all(outputs.map((script) => drawOutput(widgets, script).catch((err) => console.error(err))));
  } finally {
    drawn = true;
    showCells();
  }
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", main);
} else {
  main();
}
