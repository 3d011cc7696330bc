// The collaboration: who is in it (by name), their roles and votes, what runtime may see data.
import { badge, h, section, table } from "../dom";
import { Context, contractVersion, memberName } from "../members";

export async function collabPage(context: Context): Promise<HTMLElement> {
  const collab = context.collab;
  if (collab.state === "none") return section("Collaboration", "No collaboration has been proposed yet.");
  const version = contractVersion(collab);
  const contract = version?.contract ?? {};
  const votes = version?.votes ?? {};
  const state = collab.state === "active" ? badge("active", "ok") : badge(collab.state, "warn");
  const kinds: string[] = contract.evidenceKinds ?? [];
  return h(
    "div",
    { "data-testid": "collab-page" },
    section(
      `Collaboration ${collab.name}`,
      h("p", {}, "State ", state, version ? ` · contract version ${version.version}` : ""),
      h("p", { class: "mono" }, `id ${collab.id}`),
      (collab.stoppedBy ?? []).length
        ? h("p", { class: "warn" }, "Stopped by ", (collab.stoppedBy as string[]).map((id) => memberName(context, id)).join(", "))
        : null,
    ),
    section(
      "Members",
      table(
        ["member", "roles", "vote on this version"],
        (version?.members ?? []).map((m: any) => [
          memberName(context, m.id) + (m.id === context.me.memberId ? " — you" : ""),
          (m.roles as string[]).join(", "),
          votes[m.id]?.vote ?? "pending",
        ]),
        "members",
      ),
    ),
    section(
      "Runtime allowed to see data",
      h("p", {}, "Evidence kinds: ", ...kinds.map((k) => (k === "simulated" ? badge("simulated (INSECURE: development only)", "warn") : badge(k, "ok")))),
      table(["allowed measurement"], (contract.allowedMeasurements ?? []).map((m: string) => [h("span", { class: "mono" }, m)]), "measurements"),
      (contract.simulatedPlatformKeys ?? []).length
        ? table(["trusted simulated platform key"], contract.simulatedPlatformKeys.map((k: string) => [h("span", { class: "mono" }, k)]))
        : null,
      h("p", { class: "mono" }, `contract hash ${version?.contractHash ?? ""}`),
    ),
  );
}
