// The staff pages' JavaScript: mark the page as able to run the NHS design system's scripts,
// then start its components (the menu, error summary focus, skip link). Every page works
// without it.
import { initAll } from "/assets/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
