// The annotation page's entry point (templates/annotate/annotate_page.html): starts the page
// with its data. The page's behaviour is annotate-page.js's; importing that does nothing.

import { start } from "./annotate-page.js";
import { readPageData } from "./page.js";

performance.mark("annotation-page-start");
start(document.getElementById("annotate"), readPageData("page-data"));
