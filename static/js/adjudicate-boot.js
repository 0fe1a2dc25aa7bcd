// The adjudication page's entry point (templates/annotate/gold/article.html): starts the page
// with its data. The page's behaviour is adjudicate.js's; importing that does nothing.

import { start } from "./adjudicate.js";
import { readPageData } from "./page.js";

start(document.getElementById("adjudicate"), readPageData("page-data"));
