// Draws each process of a case with bpmn-js (the viewer), marks its completed and active
// tasks, fits it to the page's width and offers zoom buttons. The page lists the same steps
// in a table after each diagram, so nothing depends on this script.
/* global BpmnJS */

const ZOOM_STEP = 1.25;
const MARGIN = 20;

// The diagram at the container's full width, its height following, so the whole process is
// shown as large as the column allows.
function fitToWidth(container, canvas) {
  const inner = canvas.viewbox().inner;
  if (!inner.width || !inner.height) {
    return;
  }
  const width = container.clientWidth;
  const scale = (width - 2 * MARGIN) / inner.width;
  const height = Math.max(160, Math.min(inner.height * scale + 2 * MARGIN, window.innerHeight * 0.8));
  container.style.height = `${Math.round(height)}px`;
  canvas.resized();
  canvas.viewbox({
    x: inner.x - MARGIN / scale,
    y: inner.y - MARGIN / scale,
    width: width / scale,
    height: height / scale,
  });
}

function zoomControls(container, canvas) {
  const controls = document.querySelector(`[data-zoom-for="${container.id}"]`);
  if (!controls) {
    return;
  }
  controls.addEventListener("click", (event) => {
    const button = event.target.closest("[data-zoom]");
    if (!button) {
      return;
    }
    const centre = { x: container.clientWidth / 2, y: container.clientHeight / 2 };
    if (button.dataset.zoom === "fit") {
      fitToWidth(container, canvas);
    } else {
      const factor = button.dataset.zoom === "in" ? ZOOM_STEP : 1 / ZOOM_STEP;
      canvas.zoom(canvas.zoom() * factor, centre);
    }
  });
  controls.hidden = false;
}

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
