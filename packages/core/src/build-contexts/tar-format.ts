/** gzip's magic number: any gzip stream starts with these two bytes. */
const isGzip = (bytes: Uint8Array) => bytes.length >= 18 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/**
 * A tar starts with a 512-byte header whose checksum field (octal, at 148) is the sum of the
 * header's bytes with that field read as spaces; POSIX and GNU tars also say "ustar" at 257.
 * The checksum is what old (v7) tars have too, so it is what is checked.
 */
function isTar(bytes: Uint8Array): boolean {
  if (bytes.length < 512) return false;
  const field = Buffer.from(bytes.subarray(148, 156))
    .toString("latin1")
    .replace(/[\0 ]+$/, "")
    .trim();
  if (!/^[0-7]{1,7}$/.test(field)) return false;
  let sum = 0;
  for (let index = 0; index < 512; index += 1) sum += index >= 148 && index < 156 ? 0x20 : (bytes[index] as number);
  return sum === Number.parseInt(field, 8);
}

/** What the bytes are, as far as the first header tells: a build context must be a tar or a gzip (of a tar). */
export function buildContextFormat(bytes: Uint8Array): "tar" | "gzip" | null {
  if (isGzip(bytes)) return "gzip";
  if (isTar(bytes)) return "tar";
  return null;
}
