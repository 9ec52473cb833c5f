/**
 * The dashboard's public URL, for links in webhook payloads: BAILEY_PUBLIC_URL, else
 * NEXTAUTH_URL (what the dashboard is reached at). Null when neither is set in this process:
 * the payload's run.url is then a path (/runs/<id>).
 */
export function webhookPublicUrl(): string | null {
  const url = process.env.BAILEY_PUBLIC_URL || process.env.NEXTAUTH_URL;
  return url ? url.replace(/\/+$/, "") : null;
}
