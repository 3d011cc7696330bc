// Datasets: schema, allowed fields, roles, floors; the owner's consent switch.
import { ApiError, get, post } from "../api";
import { badge, h, section, table } from "../dom";
import { Context, memberName } from "../members";

function roleOf(doc: any, column: string): string {
  const policy = doc.policy ?? {};
  const rule = policy.columns?.[column];
  const role = doc.columnRoles?.[column] ?? (policy.privacyUnit === column ? "privacy_unit" : rule?.role ?? "");
  return role + (rule?.functions ? ` (${rule.functions.join(", ")})` : "");
}

function datasetCard(context: Context, dataset: any, refresh: () => void): HTMLElement {
  const latest = dataset.versions[dataset.versions.length - 1];
  const doc = latest.document;
  const policy = doc.policy ?? {};
  const allowed = new Set<string>(doc.allowedFields ?? policy.allowedFields ?? []);
  const mine = dataset.owner === context.me.memberId;
  const message = h("p", { class: "message", "data-testid": `consent-message-${dataset.name}` });
  const toggle = async () => {
    try {
      await post(`datasets/${dataset.name}/consent`, { enabled: !dataset.enabled });
      refresh();
    } catch (error) {
      message.textContent = error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
    }
  };
  return h(
    "article",
    { class: "card", "data-testid": `dataset-${dataset.name}` },
    h("h3", {}, dataset.name, " ", dataset.enabled ? badge("consent on", "ok") : badge("consent OFF", "bad")),
    h("p", {}, `owner ${memberName(context, dataset.owner)} · version ${latest.version} · ${doc.format} · key ${latest.secret ? "stored (sealed)" : "not stored"}`),
    table(
      ["column", "type", "allowed", "role"],
      (doc.schema ?? []).map((c: any) => [c.name, c.type, allowed.has(c.name) ? "yes" : "no", roleOf(doc, c.name)]),
    ),
    h(
      "p",
      {},
      `Floors: at least ${policy.minRowCount ?? 0} rows per query input; output groups of fewer than ${policy.minGroupUnits ?? 0} distinct privacy units are suppressed`,
      policy.privacyUnit ? ` (privacy unit ${policy.privacyUnit})` : "",
      `. Output: ${policy.output ?? "aggregate"}.`,
    ),
    h("p", {}, "Differential privacy: not enabled (governance refuses DP settings until it is built)."),
    mine
      ? h(
          "button",
          { "data-testid": `consent-${dataset.name}`, onclick: toggle },
          dataset.enabled ? "Switch consent off (no further runs)" : "Switch consent on",
        )
      : null,
    message,
    h("p", { class: "mono" }, `document hash ${latest.hash}`),
  );
}

export async function datasetsPage(context: Context, refresh: () => void): Promise<HTMLElement> {
  const list = await get("datasets");
  const details = await Promise.all(list.datasets.map((d: any) => get(`datasets/${d.name}`)));
  return h(
    "div",
    { "data-testid": "datasets-page" },
    section("Datasets", details.length ? null : "No dataset registered yet.", ...details.map((d) => datasetCard(context, d, refresh))),
  );
}
