// The audit: the ledger as a timeline, verified in the console process (member signatures,
// signed tree heads) against the tree head this member saw before.
import { get } from "../api";
import { badge, h, section, table } from "../dom";
import { Context, memberName } from "../members";

export async function auditPage(context: Context): Promise<HTMLElement> {
  const audit = await get("audit");
  const head = audit.lastTreeHead;
  const saved = audit.savedTreeHead;
  const rows = [...audit.timeline]
    .filter((e: any) => e.kind === "request")
    .reverse()
    .map((e: any) => [
      String(e.seqno),
      e.time,
      e.signer ? memberName(context, e.signer) : "the service",
      e.type ?? "",
      e.outcome === "accepted" ? badge("accepted", "ok") : badge(`refused ${e.refusalCode ?? ""}`, "bad"),
      h("a", { href: `/api/receipts/${e.seqno}`, download: `receipt-${e.seqno}.json` }, "receipt"),
    ]);
  return h(
    "div",
    { "data-testid": "audit-page" },
    section(
      "Ledger",
      h("p", { "data-testid": "audit-verified" }, audit.verified ? badge("verified", "ok") : badge("DOES NOT VERIFY", "bad"), ` ${audit.entries} entries, ${audit.memberSignaturesVerified} member signatures and ${audit.treeHeadsVerified} signed tree heads verified in the console`),
      audit.verifyError ? h("p", { class: "message" }, audit.verifyError) : null,
      head ? h("p", { class: "mono" }, `last signed tree head: ${head.treeSize} entries, root ${head.root}, signed ${head.time}`) : h("p", {}, "No signed tree head yet."),
      saved
        ? h("p", { "data-testid": "audit-extends" }, audit.extendsSaved ? badge("extends", "ok") : badge("DOES NOT EXTEND", "bad"), ` the tree head you saw before (${saved.treeSize} entries, signed ${saved.time})`)
        : h("p", { "data-testid": "audit-extends" }, "First visit: this tree head is now kept to check the next one."),
    ),
    section("Timeline (newest first)", table(["seqno", "time (UTC)", "who", "what", "outcome", ""], rows, "timeline")),
  );
}
