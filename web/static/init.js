// GOV.UK Frontend's components (error summary focus, radios, buttons). Pages work without it.
import { initAll } from "/assets/govuk/govuk-frontend.min.js";

// A form with no action of its own is sent to the page's address, fragment and all. After the
// skip link that fragment is #main-content, and the page that answers would open scrolled to
// it: moving there, the browser takes the focus from where the page put it (the error
// summary) and leaves it nowhere. Sent to the address without its fragment, the focus stays.
for (const form of document.querySelectorAll("form:not([action])")) {
  form.action = window.location.pathname + window.location.search;
}

initAll();

// Adding or removing one of a list's items (a report, an incident) sends the form, and the
// page drawn in answer would leave the focus at its top, far from the list: it names, in the
// form's data-focus, the control to carry on from (the new item's first answer).
const resume = document.querySelector("form[data-focus]");
const control = resume && document.getElementById(resume.dataset.focus);
if (control && document.activeElement === document.body) {
  control.focus();
}

// bpmn.io's notice, which its logo on a drawn diagram opens over the page, closes only by a
// click beside it: Escape closes it too, for whoever uses the keyboard (the focus is still on
// the logo, under it).
document.addEventListener("keydown", (event) => {
  const notice = document.querySelector(".bjs-powered-by-lightbox");
  if (event.key === "Escape" && notice) {
    notice.remove();
  }
});
