// Runs in numeric order: state, failure reason, suppression counts; a recipient opens a result
// in the page (decrypted by the console process) or downloads it.
import { ApiError, get } from "../api";
import { parseCsv } from "../csv";
import { badge, h, section, table } from "../dom";
import { Context, memberName } from "../members";

const runNumber = (id: string) => Number(id.replace(/^r/, ""));

async function openResult(run: string, target: HTMLElement): Promise<void> {
  target.replaceChildren(h("p", {}, "opening…"));
  try {
    const result = await get(`runs/${run}/result`);
    const record = result.record ?? {};
    const parts: (HTMLElement | null)[] = [
      h("p", {}, `${record.rowsOut ?? "?"} rows · output hash ${record.outputHash ?? ""} verified · ${result.format}`),
    ];
    if (result.format === "csv" && typeof result.text === "string") {
      const rows = parseCsv(result.text);
      parts.push(table(rows[0] ?? [], rows.slice(1), `result-${run}`));
    } else if (typeof result.text === "string") {
      parts.push(h("pre", { "data-testid": `result-${run}` }, result.text));
    } else {
      parts.push(h("p", {}, "This format is not shown in the page: download it."));
    }
    target.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  } catch (error) {
    target.replaceChildren(h("p", { class: "message" }, error instanceof ApiError ? `${error.code}: ${error.message}` : String(error)));
  }
}

function runCard(context: Context, run: any): HTMLElement {
  const record = run.report?.record ?? {};
  const suppressed: any[] = record.suppressed ?? [];
  const evidence = run.release?.evidence;
  const output = h("div", { class: "result" });
  return h(
    "article",
    { class: "card", "data-testid": `run-${run.id}` },
    h("h3", {}, `${run.id} of query ${run.query} `, badge(run.state, run.state === "succeeded" ? "ok" : run.state === "failed" ? "bad" : "warn")),
    h("p", {}, `requested by ${memberName(context, run.requester)}`),
    run.reason ? h("p", { class: "message", "data-testid": `reason-${run.id}` }, `failure reason: ${run.reason}`) : null,
    evidence ? h("p", {}, `keys released to a runtime with ${evidence.kind} evidence`, evidence.insecure ? " (INSECURE: simulated)" : "", ` · measurement ${evidence.measurement ?? ""}`) : null,
    run.state === "succeeded"
      ? h(
          "p",
          {},
          `${record.rowsOut ?? "?"} rows out; `,
          suppressed.length ? suppressed.map((s) => `${s.rows} rows suppressed by ${s.rule}`).join("; ") : "no rows suppressed",
          ". Privacy budget spent: none (no differential privacy).",
        )
      : null,
    run.state === "succeeded"
      ? h(
          "div",
          { class: "actions" },
          h("button", { "data-testid": `open-${run.id}`, onclick: () => openResult(run.id, output) }, "Open the result"),
          h("a", { href: `/api/runs/${run.id}/result/download`, download: `${run.id}.${record.outputFormat ?? "csv"}`, "data-testid": `download-${run.id}` }, `Download (${record.outputFormat ?? "csv"})`),
        )
      : null,
    output,
  );
}

export async function runsPage(context: Context): Promise<HTMLElement> {
  const list = await get("runs");
  const runs = [...list.runs].sort((a: any, b: any) => runNumber(b.id) - runNumber(a.id));
  return h("div", { "data-testid": "runs-page" }, section("Runs (newest first)", runs.length ? null : "No runs yet.", ...runs.map((r) => runCard(context, r))));
}
