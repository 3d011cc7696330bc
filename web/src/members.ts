// Members by name: the display names of the collaboration's contract (its active version, else
// the latest proposed one).
import { get } from "./api";

export interface Member {
  id: string;
  displayName: string;
  roles: string[];
}

export interface Context {
  me: { memberId: string; name: string };
  collab: any;
  members: Map<string, Member>;
}

export function contractVersion(collab: any): any | undefined {
  const versions: any[] = collab.versions ?? [];
  if (typeof collab.activeVersion === "number") return versions[collab.activeVersion - 1];
  return versions[versions.length - 1];
}

export async function loadContext(): Promise<Context> {
  const [me, collab] = await Promise.all([get("session"), get("collab")]);
  const members = new Map<string, Member>();
  const version = contractVersion(collab);
  for (const member of version?.members ?? []) members.set(member.id, member);
  return { me, collab, members };
}

export function memberName(context: Context, id: string | undefined): string {
  if (!id) return "the service";
  const member = context.members.get(id);
  const short = id.slice(0, 12);
  return member ? `${member.displayName} (${short})` : short;
}
