// Queries: those awaiting this member's decision first, with governance's checked summary, and
// approve / reject bound to the exact hash shown.
import { ApiError, get, post } from "../api";
import { badge, h, section, table } from "../dom";
import { Context, memberName } from "../members";

function text(value: unknown): string {
  if (Array.isArray(value)) return value.map(text).join(", ");
  return typeof value === "string" ? value : JSON.stringify(value);
}

function summary(check: any): HTMLElement {
  const s = check?.summary;
  if (!s) return h("p", { class: "warn" }, "No checked summary recorded for this query.");
  return h(
    "div",
    { class: "summary" },
    h("h4", {}, `Checked by governance: ${check.verdict}`),
    table(
      ["output column", "made of", "aggregated"],
      (s.columns ?? []).map((c: any) => [c.name, (c.sources ?? []).length ? text(c.sources) : "rows (no column)", c.aggregated ? "yes" : "NO"]),
      "summary-columns",
    ),
    table(
      ["dataset", "min rows", "min distinct units per group", "owner's floors"],
      (s.floors ?? []).map((f: any) => [f.dataset, f.minRowCount, f.minGroupUnits, `${f.owner?.minRowCount ?? 0} / ${f.owner?.minGroupUnits ?? 0}`]),
      "summary-floors",
    ),
    (s.suppressionRules ?? []).length ? h("p", {}, "Suppression: ", text(s.suppressionRules)) : null,
    (s.postFilters ?? []).length ? h("p", {}, "Post-filters: ", text(s.postFilters)) : null,
    h("p", {}, "Differential privacy: none (no noise is added; no error intervals apply)."),
  );
}

function queryCard(context: Context, q: any, refresh: () => void): HTMLElement {
  const me = context.me.memberId;
  const bound = q.bound ?? {};
  const doc = bound.query ?? {};
  const myVote = q.votes?.[me]?.vote;
  const awaiting = q.state === "proposed" && (q.approvers as string[]).includes(me) && !myVote;
  const runner = q.state === "accepted" && ((doc.runners ?? [q.proposer]) as string[]).includes(me);
  const message = h("p", { class: "message", "data-testid": `query-message-${q.id}` });
  const act = (path: string, body: unknown, done: string) => async () => {
    try {
      const reply = await post(path, body);
      message.textContent = `${done} (ledger entry ${reply.seqno})`;
      refresh();
    } catch (error) {
      message.textContent = error instanceof ApiError ? `refused: ${error.code}: ${error.message}` : String(error);
    }
  };
  return h(
    "article",
    { class: awaiting ? "card awaiting" : "card", "data-testid": `query-${q.id}` },
    h("h3", {}, `${q.id} · ${q.name} `, badge(q.state, q.state === "accepted" ? "ok" : q.state === "proposed" ? "warn" : "bad"), q.enabled ? null : badge("switched off", "bad")),
    h("p", {}, `proposed by ${memberName(context, q.proposer)}`),
    h("p", {}, "Exact hash you vote on: ", h("code", { "data-testid": `hash-${q.id}` }, q.queryHash)),
    ...(doc.steps ?? []).map((sql: string, i: number) => h("pre", { class: "sql" }, `-- step ${i + 1}\n${sql}`)),
    table(
      ["reads dataset", "version", "owner", "vote"],
      (bound.datasets ?? []).map((d: any) => [d.name, d.version, memberName(context, d.owner), q.votes?.[d.owner]?.vote ?? "pending"]),
    ),
    h("p", {}, "Guards: ", Object.keys(doc.guards ?? {}).length ? text(doc.guards) : "none beyond the datasets' floors"),
    h("p", {}, `Recipients: ${(doc.recipients ?? []).map((id: string) => memberName(context, id)).join(", ") || "none"}`),
    h("p", {}, `Runners: ${(doc.runners ?? [q.proposer]).map((id: string) => memberName(context, id)).join(", ")} · output ${doc.outputFormat ?? "csv"}`),
    summary(bound.check),
    awaiting
      ? h(
          "div",
          { class: "actions" },
          h("button", { "data-testid": `approve-${q.id}`, onclick: act(`queries/${q.id}/vote`, { accept: true, queryHash: q.queryHash }, "approved") }, `Approve hash ${q.queryHash.slice(0, 12)}…`),
          h("button", { class: "danger", "data-testid": `reject-${q.id}`, onclick: act(`queries/${q.id}/vote`, { accept: false, queryHash: q.queryHash }, "rejected") }, "Reject"),
        )
      : myVote
        ? h("p", {}, `Your vote: ${myVote}`)
        : null,
    runner ? h("button", { "data-testid": `run-${q.id}`, onclick: act("runs", { query: q.id, queryHash: q.queryHash }, "run requested") }, "Request a run") : null,
    message,
  );
}

export async function queriesPage(context: Context, refresh: () => void): Promise<HTMLElement> {
  const list = await get("queries");
  const queries = await Promise.all(list.queries.map((q: any) => get(`queries/${q.id}`)));
  const me = context.me.memberId;
  const awaiting = queries.filter((q) => q.state === "proposed" && q.approvers.includes(me) && !q.votes?.[me]);
  const others = queries.filter((q) => !awaiting.includes(q));
  return h(
    "div",
    { "data-testid": "queries-page" },
    section(`Awaiting your decision (${awaiting.length})`, awaiting.length ? null : "Nothing awaits your decision.", ...awaiting.map((q) => queryCard(context, q, refresh))),
    section("All queries", ...others.map((q) => queryCard(context, q, refresh))),
  );
}
