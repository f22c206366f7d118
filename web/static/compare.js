// Draws two versions of a diagram and marks what was added, changed and removed. The page
// lists the same changes in tables, so nothing depends on this script.
/* global BpmnJS */

async function draw(container) {
  const response = await fetch(container.dataset.compareUrl, { credentials: "same-origin" });
  if (!response.ok) {
    container.textContent = "The diagram could not be loaded.";
    return;
  }
  const viewer = new BpmnJS({ container });
  await viewer.importXML(await response.text());
  const canvas = viewer.get("canvas");
  const elements = viewer.get("elementRegistry");
  canvas.zoom("fit-viewport");
  for (const [marker, ids] of Object.entries(JSON.parse(container.dataset.marks))) {
    for (const id of ids) {
      if (elements.get(id)) {
        canvas.addMarker(id, marker);
      }
    }
  }
  container.dataset.diagramReady = "true";
}

for (const container of document.querySelectorAll("[data-compare-url]")) {
  draw(container).catch((error) => {
    container.textContent = `The diagram could not be drawn: ${error.message}`;
  });
}
