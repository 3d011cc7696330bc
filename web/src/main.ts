// The console's pages, routed by the URL fragment (#/queries): the server serves one page.
import "./style.css";
import { ApiError } from "./api";
import { h } from "./dom";
import { Context, loadContext, memberName } from "./members";
import { auditPage } from "./pages/audit";
import { collabPage } from "./pages/collab";
import { datasetsPage } from "./pages/datasets";
import { queriesPage } from "./pages/queries";
import { runsPage } from "./pages/runs";

type Page = (context: Context, refresh: () => void) => Promise<HTMLElement>;
const pages: Record<string, [string, Page]> = {
  collab: ["Collaboration", collabPage],
  datasets: ["Datasets", datasetsPage],
  queries: ["Queries", queriesPage],
  runs: ["Runs", runsPage],
  audit: ["Audit", auditPage],
};

async function render(): Promise<void> {
  const name = location.hash.replace(/^#\/?/, "") || "collab";
  const [, page] = pages[name] ?? pages.collab;
  const main = document.getElementById("page")!;
  const nav = document.getElementById("nav")!;
  nav.replaceChildren(
    ...Object.entries(pages).map(([key, [title]]) =>
      h("a", { href: `#/${key}`, class: key === name ? "current" : undefined, "data-testid": `nav-${key}` }, title),
    ),
  );
  main.setAttribute("aria-busy", "true");
  try {
    const context = await loadContext();
    document.getElementById("me")!.textContent = `signed in as ${memberName(context, context.me.memberId)}`;
    main.replaceChildren(await page(context, render));
  } catch (error) {
    const text = error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
    main.replaceChildren(h("p", { class: "message" }, text));
  }
  main.setAttribute("aria-busy", "false");
}

window.addEventListener("hashchange", render);
render();
