// GOV.UK Frontend's components (error summary focus, radios, buttons). Pages work without it.
import { initAll } from "/assets/govuk/govuk-frontend.min.js";

initAll();
