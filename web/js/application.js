// Initialise GOV.UK Frontend's components (error summary focus, details, tabs...).
import { initAll } from "./govuk-frontend.min.js";
initAll();
