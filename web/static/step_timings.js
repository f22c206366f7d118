// Draws a process's diagram and colours each step by how late it runs (its band), with a label
// under it giving the band and the figures in words; fits it to the page's width and offers
// zoom buttons. The page's table gives the same figures, so nothing depends on this script.
/* global BpmnJS */

import { fitToWidth, zoomControls } from "./diagram_view.js";

// Zoomed out to see the whole process, the labels shrink no further than this, to stay legible.
const LABEL_SCALE = { min: 0.75 };

function words(mark) {
  const lines = [mark.label];
  if (mark.on_time !== null) {
    lines.push(`${mark.on_time}% on time`);
  }
  if (mark.median !== null) {
    lines.push(`median ${mark.median} working ${mark.median === 1 ? "day" : "days"}`);
  }
  lines.push(mark.overdue ? `${mark.waiting} waiting, ${mark.overdue} overdue` : `${mark.waiting} waiting`);
  return lines;
}

function label(mark) {
  const box = document.createElement("div");
  box.className = `casereview-heat-label casereview-heat-label--${mark.band}`;
  for (const line of words(mark)) {
    const row = document.createElement("span");
    row.textContent = line;
    box.appendChild(row);
  }
  return box;
}

async function draw(container) {
  const viewer = new BpmnJS({ container });
  await viewer.importXML(container.dataset.heatMapXml);
  const canvas = viewer.get("canvas");
  const elements = viewer.get("elementRegistry");
  const overlays = viewer.get("overlays");
  fitToWidth(container, canvas);
  for (const mark of JSON.parse(container.dataset.marks)) {
    const element = elements.get(mark.id);
    if (!element) {
      continue;
    }
    canvas.addMarker(mark.id, `heat-${mark.band}`);
    overlays.add(mark.id, "heat-figures", {
      position: { top: element.height + 4, left: 0 },
      scale: LABEL_SCALE,
      html: label(mark),
    });
  }
  zoomControls(container, canvas);
  container.dataset.diagramReady = "true";
}

for (const container of document.querySelectorAll("[data-heat-map-xml]")) {
  draw(container).catch((error) => {
    container.textContent = `The diagram could not be drawn: ${error.message}`;
  });
}
