// Draws each process of a case with bpmn-js (the viewer), marks its completed and active
// tasks, fits it to the page's width and offers zoom buttons. The page lists the same steps
// in a table after each diagram, so nothing depends on this script.
/* global BpmnJS */

import { fitToWidth, zoomControls } from "./diagram_view.js";

async function draw(container) {
  const response = await fetch(container.dataset.diagramUrl, { credentials: "same-origin" });
  if (!response.ok) {
    container.textContent = "The diagram could not be loaded.";
    return;
  }
  const process = await response.json();
  const viewer = new BpmnJS({ container });
  await viewer.importXML(process.xml);
  const canvas = viewer.get("canvas");
  const elements = viewer.get("elementRegistry");
  fitToWidth(container, canvas);
  const mark = (ids, marker) => {
    for (const id of ids) {
      if (elements.get(id)) {
        canvas.addMarker(id, marker);
      }
    }
  };
  mark(process.completed, "task-completed");
  mark(process.active, "task-active");
  zoomControls(container, canvas);
  container.dataset.diagramReady = "true";
}

for (const container of document.querySelectorAll("[data-diagram-url]")) {
  draw(container).catch((error) => {
    container.textContent = `The diagram could not be drawn: ${error.message}`;
  });
}
