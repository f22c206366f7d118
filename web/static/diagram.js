// Draws each process of a case with bpmn-js (the viewer) and marks its completed and active
// tasks. The page lists the same tasks in a table, so nothing depends on this script.
/* global BpmnJS */

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
  canvas.zoom("fit-viewport");
  const mark = (ids, marker) => {
    for (const id of ids) {
      if (elements.get(id)) {
        canvas.addMarker(id, marker);
      }
    }
  };
  mark(process.completed, "task-completed");
  mark(process.active, "task-active");
  container.dataset.diagramReady = "true";
}

for (const container of document.querySelectorAll("[data-diagram-url]")) {
  draw(container).catch((error) => {
    container.textContent = `The diagram could not be drawn: ${error.message}`;
  });
}
