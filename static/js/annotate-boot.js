// The annotation page's entry point (templates/annotate/annotate_page.html): starts the page
// with its data. The page's behaviour is annotate-page.js's; importing that does nothing.
// comments.js adds the team tools (skip, flag, comments, guidelines changes).

import { start } from "./annotate-page.js";
import { startTeam } from "./comments.js";
import { readPageData } from "./page.js";

performance.mark("annotation-page-start");
start(document.getElementById("annotate"), readPageData("page-data"));
startTeam(document.getElementById("team-panel"), readPageData("team-data"));
