// The process editor: bpmn-js's Modeler on the newest version of a diagram, a small panel
// for a selected element's name, form and due rule, and Check / Save and deploy, which send
// the XML to the service and mark its errors and warnings on the diagram. The page offers
// download and upload for anyone without JavaScript.
/* global BpmnJS */
import { spiffworkflowModdle } from "./spiffworkflow-moddle.js";

const container = document.getElementById("editor");
const panel = document.getElementById("element-form");
const choice = document.getElementById("element-choice");
const fields = {
  name: document.getElementById("element-name"),
  lane: document.getElementById("element-lane"),
  form: document.getElementById("element-form-name"),
  due: document.getElementById("element-due"),
};
const messages = document.getElementById("editor-messages");
const checkButton = document.getElementById("check-button");
const deployButton = document.getElementById("deploy-button");
const EDITABLE = /^bpmn:(.*Task|SubProcess|CallActivity|.*Event|.*Gateway)$/;

// diagram-js binds its keyboard shortcuts to the canvas itself, so they act only when the
// diagram has the focus and never take keys from the form beside it.
const modeler = new BpmnJS({
  container,
  moddleExtensions: { spiffworkflow: spiffworkflowModdle },
});
const canvas = modeler.get("canvas");
const registry = modeler.get("elementRegistry");
const modeling = modeler.get("modeling");
const moddle = modeler.get("moddle");
const overlays = modeler.get("overlays");
const selection = modeler.get("selection");
let marked = [];
let current = null;
let loopReferences = {};
const BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL";
// SpiffWorkflow names a multi-instance task's collection by its task-data variable, where
// bpmn-js expects the id of a data element and drops what it cannot resolve: keep them as read
// and put them back in the XML that is sent.
const LOOP_REFERENCES = ["loopDataInputRef", "loopDataOutputRef"];

function bpmnChild(parent, name) {
  return Array.from(parent.children).find(
    (child) => child.namespaceURI === BPMN && child.localName === name,
  );
}

function readLoopReferences(xml) {
  const found = {};
  const doc = new DOMParser().parseFromString(xml, "application/xml");
  for (const loop of doc.getElementsByTagNameNS(BPMN, "multiInstanceLoopCharacteristics")) {
    const owner = loop.parentElement.getAttribute("id");
    for (const name of LOOP_REFERENCES) {
      const reference = bpmnChild(loop, name);
      if (owner && reference) {
        found[owner] = { ...found[owner], [name]: reference.textContent };
      }
    }
  }
  return found;
}

function restoreLoopReferences(xml) {
  const doc = new DOMParser().parseFromString(xml, "application/xml");
  let restored = false;
  for (const loop of doc.getElementsByTagNameNS(BPMN, "multiInstanceLoopCharacteristics")) {
    const kept = loopReferences[loop.parentElement.getAttribute("id")] || {};
    // The schema's order: loopCardinality, loopDataInputRef, loopDataOutputRef, then the rest.
    let after = bpmnChild(loop, "loopCardinality") || null;
    for (const name of LOOP_REFERENCES) {
      let reference = bpmnChild(loop, name);
      if (!reference && kept[name]) {
        reference = doc.createElementNS(BPMN, loop.prefix ? `${loop.prefix}:${name}` : name);
        reference.textContent = kept[name];
        loop.insertBefore(reference, after ? after.nextSibling : loop.firstChild);
        restored = true;
      }
      after = reference || after;
    }
  }
  return restored ? new XMLSerializer().serializeToString(doc) : xml;
}

function spiffProperties(businessObject, create) {
  let extensions = businessObject.extensionElements;
  if (!extensions && !create) {
    return null;
  }
  if (!extensions) {
    extensions = moddle.create("bpmn:ExtensionElements", { values: [] });
    extensions.$parent = businessObject;
  }
  let properties = (extensions.get("values") || []).find(
    (value) => value.$type === "spiffworkflow:Properties",
  );
  if (!properties && create) {
    properties = moddle.create("spiffworkflow:Properties", { properties: [] });
    properties.$parent = extensions;
    extensions.get("values").push(properties);
  }
  return properties ? { extensions, properties } : null;
}

function readProperty(businessObject, name) {
  const found = spiffProperties(businessObject, false);
  const property = found && found.properties.get("properties").find((p) => p.name === name);
  return property ? property.value || "" : "";
}

function writeProperty(element, name, value) {
  const businessObject = element.businessObject;
  if (readProperty(businessObject, name) === value) {
    return;
  }
  const { extensions, properties } = spiffProperties(businessObject, true);
  const listed = properties.get("properties");
  const index = listed.findIndex((p) => p.name === name);
  if (!value && index >= 0) {
    listed.splice(index, 1);
  } else if (index >= 0) {
    listed[index].value = value;
  } else if (value) {
    const property = moddle.create("spiffworkflow:Property", { name, value });
    property.$parent = properties;
    listed.push(property);
  }
  modeling.updateProperties(element, { extensionElements: extensions });
}

function laneOf(element) {
  const lane = registry.filter(
    (candidate) =>
      candidate.type === "bpmn:Lane" &&
      (candidate.businessObject.flowNodeRef || []).includes(element.businessObject),
  )[0];
  return lane ? lane.businessObject.name || lane.id : "";
}

function editableElements() {
  return registry
    .filter((element) => EDITABLE.test(element.type) && !element.labelTarget)
    .sort((a, b) => (a.businessObject.name || a.id).localeCompare(b.businessObject.name || b.id));
}

function listElements() {
  const chosen = current ? current.id : "";
  choice.replaceChildren(new Option("Choose an element", ""));
  for (const element of editableElements()) {
    const name = element.businessObject.name;
    choice.add(new Option(name ? `${name} (${element.id})` : element.id, element.id));
  }
  choice.value = chosen;
}

function show(element) {
  current = element && EDITABLE.test(element.type) ? element : null;
  choice.value = current ? current.id : "";
  const userTask = current && current.type === "bpmn:UserTask";
  for (const input of Object.values(fields)) {
    input.disabled = !current;
  }
  fields.form.disabled = fields.due.disabled = !userTask;
  fields.name.value = current ? current.businessObject.name || "" : "";
  fields.lane.value = current ? laneOf(current) : "";
  fields.form.value = userTask ? readProperty(current.businessObject, "form") : "";
  fields.due.value = userTask ? readProperty(current.businessObject, "due") : "";
}

function clearMarks() {
  for (const [id, marker] of marked) {
    canvas.removeMarker(id, marker);
  }
  marked = [];
  overlays.remove({ type: "problem" });
}

function mark(problems, marker) {
  for (const problem of problems) {
    if (!problem.element_id || !registry.get(problem.element_id)) {
      continue;
    }
    canvas.addMarker(problem.element_id, marker);
    marked.push([problem.element_id, marker]);
    const badge = document.createElement("span");
    badge.className = `casereview-badge casereview-badge--${marker}`;
    badge.textContent = marker === "element-error" ? "!" : "?";
    badge.title = problem.message;
    overlays.add(problem.element_id, "problem", { position: { top: -10, right: 10 }, html: badge });
  }
}

function problemList(problems, listClass) {
  const list = document.createElement("ul");
  list.className = listClass;
  for (const problem of problems) {
    const item = document.createElement("li");
    if (problem.element_id && registry.get(problem.element_id)) {
      const link = document.createElement("a");
      link.href = `#${container.id}`;
      link.textContent = problem.element_id;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        const element = registry.get(problem.element_id);
        selection.select(element);
        canvas.scrollToElement(element);
        choice.focus();
      });
      item.append(link, `: ${problem.message}`);
    } else {
      item.textContent = problem.element_id
        ? `${problem.element_id}: ${problem.message}`
        : problem.message;
    }
    list.append(item);
  }
  return list;
}

function report(errors, warnings, success) {
  messages.replaceChildren();
  if (errors.length) {
    const summary = document.createElement("div");
    summary.className = "govuk-error-summary";
    summary.tabIndex = -1;
    const title = document.createElement("h2");
    title.className = "govuk-error-summary__title";
    title.textContent = success === null ? "The diagram has errors" : "The diagram was not deployed";
    const body = document.createElement("div");
    body.className = "govuk-error-summary__body";
    body.append(problemList(errors, "govuk-list govuk-error-summary__list"));
    summary.append(title, body);
    messages.append(summary);
    summary.focus();
  } else if (success) {
    const banner = document.createElement("div");
    banner.className = "govuk-notification-banner govuk-notification-banner--success";
    banner.setAttribute("role", "alert");
    const content = document.createElement("div");
    content.className = "govuk-notification-banner__content";
    const heading = document.createElement("p");
    heading.className = "govuk-notification-banner__heading";
    heading.textContent = success.text;
    const link = document.createElement("a");
    link.className = "govuk-notification-banner__link";
    link.href = success.url;
    link.textContent = "See all versions";
    content.append(heading, link);
    banner.append(content);
    messages.append(banner);
  } else {
    const passed = document.createElement("p");
    passed.className = "govuk-body govuk-!-font-weight-bold";
    passed.textContent = "The diagram passes every check.";
    messages.append(passed);
  }
  if (warnings.length) {
    const heading = document.createElement("h2");
    heading.className = "govuk-heading-s";
    heading.textContent = "Warnings (they do not stop a deployment)";
    messages.append(heading, problemList(warnings, "govuk-list govuk-list--bullet"));
  }
  clearMarks();
  mark(errors, "element-error");
  mark(warnings, "element-warning");
}

async function send(url) {
  const { xml: exported } = await modeler.saveXML({ format: true });
  const xml = restoreLoopReferences(exported);
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/xml", "X-CSRFToken": container.dataset.csrfToken },
    body: xml,
  });
  let body;
  try {
    body = await response.json();
  } catch {
    body = { errors: [{ element_id: "", message: `The service answered ${response.status}.` }] };
  }
  return { status: response.status, body };
}

async function check() {
  const { body } = await send(container.dataset.checkUrl);
  report(body.errors || [], body.warnings || [], null);
}

// After a deployment the page edits the newest version: its caption, the download link and
// the address the next session of editing starts from all name it.
function nowEditing(version) {
  const download = container.dataset.downloadUrlPattern.replace("{version}", String(version));
  container.dataset.editorXmlUrl = download;
  document.getElementById("editing-version").textContent =
    `${container.dataset.key}, editing version ${version}`;
  const link = document.getElementById("download-newest");
  link.href = download;
  link.textContent = `download version ${version}`;
}

// The palette sits over the diagram's left edge: leave it room so that nothing, an error
// marker included, is drawn beneath it.
function fitBesidePalette() {
  canvas.zoom("fit-viewport");
  const palette = container.querySelector(".djs-palette");
  const box = canvas.viewbox();
  if (!palette || !box.scale) {
    return;
  }
  const room = (palette.getBoundingClientRect().width + 16) / box.scale;
  canvas.viewbox({ x: box.x - room, y: box.y, width: box.width + room, height: box.height });
}

async function deploy() {
  deployButton.disabled = true;
  try {
    const { body } = await send(container.dataset.deployUrl);
    const errors = body.errors || [];
    let success = false;
    if (!errors.length) {
      nowEditing(body.version);
      success = {
        text: body.created
          ? `Deployed version ${body.version}. New cases start on it; running cases keep their version.`
          : `Version ${body.version} already has this content; nothing was deployed.`,
        url: body.url,
      };
    }
    report(errors, body.warnings || [], success);
  } finally {
    deployButton.disabled = false;
  }
}

function failed(error) {
  report([{ element_id: "", message: `Something went wrong: ${error.message}` }], [], null);
}

async function open() {
  const response = await fetch(container.dataset.editorXmlUrl, { credentials: "same-origin" });
  if (!response.ok) {
    container.textContent = "The diagram could not be loaded.";
    return;
  }
  const xml = await response.text();
  loopReferences = readLoopReferences(xml);
  await modeler.importXML(xml);
  fitBesidePalette();
  modeler.on("selection.changed", (event) => show(event.newSelection[0]));
  modeler.on("commandStack.changed", () => {
    listElements();
    show(current && registry.get(current.id));
  });
  choice.addEventListener("change", () => {
    const element = registry.get(choice.value);
    if (element) {
      selection.select(element);
      canvas.scrollToElement(element);
    } else {
      show(null);
    }
  });
  panel.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!current) {
      return;
    }
    // Read every field first: each change to the diagram redraws the panel from it.
    const element = current;
    const name = fields.name.value;
    const form = fields.form.value.trim();
    const due = fields.due.value.trim();
    if (element.type === "bpmn:UserTask") {
      writeProperty(element, "form", form);
      writeProperty(element, "due", due);
    }
    if ((element.businessObject.name || "") !== name) {
      modeling.updateLabel(element, name);
    }
    show(registry.get(element.id));
  });
  checkButton.addEventListener("click", () => check().catch(failed));
  deployButton.addEventListener("click", () => deploy().catch(failed));
  listElements();
  show(null);
  panel.hidden = false;
  checkButton.disabled = deployButton.disabled = false;
  container.dataset.editorReady = "true";
}

open().catch((error) => {
  container.textContent = `The diagram could not be opened: ${error.message}`;
});
