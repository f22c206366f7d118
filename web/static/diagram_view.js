// What every drawn diagram of a page shares: fitting it to its container's width, its height
// following, and the zoom buttons beside it (``data-zoom-for`` the container's id).

const ZOOM_STEP = 1.25;
const MARGIN = 20;

// The diagram at the container's full width, its height following, so the whole process is
// shown as large as the column allows.
export function fitToWidth(container, canvas) {
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

export function zoomControls(container, canvas) {
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
