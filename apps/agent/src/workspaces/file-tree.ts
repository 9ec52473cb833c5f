import { lchown, lstat, readdir } from "node:fs/promises";
import path from "node:path";

/** uid and gid of `uid[:gid]` (a lone uid is its own gid, as useradd makes them). */
export function ownerOf(user: string): { uid: number; gid: number } {
  const [uid, gid] = user.split(":").map(Number) as [number, number | undefined];
  return { uid, gid: gid ?? uid };
}

/** `chown -R` without following a symlink anywhere (lchown on each entry). */
export async function chownTree(root: string, owner: { uid: number; gid: number }): Promise<void> {
  await lchown(root, owner.uid, owner.gid);
  if (!(await lstat(root)).isDirectory()) return;
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const child = path.join(root, entry.name);
    if (entry.isDirectory()) await chownTree(child, owner);
    else await lchown(child, owner.uid, owner.gid);
  }
}
