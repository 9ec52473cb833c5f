"use client";

import { formatBytes } from "~/lib/format-bytes";

interface CachedImage {
  id: string;
  tags: string[];
  digests: string[];
  sizeBytes: number;
}

interface ImagePull {
  id: string;
  image: string;
  state: "pending" | "pulling" | "done" | "failed";
  digest: string | null;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

const pullStateStyle: Record<ImagePull["state"], string> = {
  pending: "text-zinc-500",
  pulling: "text-amber-600 dark:text-amber-400",
  done: "text-emerald-700 dark:text-emerald-400",
  failed: "text-red-600 dark:text-red-400",
};

/** `sha256:0123456789ab…` → `0123456789ab`: enough to tell images apart at a glance. */
function shortDigest(reference: string): string {
  const digest = reference.slice(reference.indexOf("sha256:") + "sha256:".length);
  return digest.slice(0, 12);
}

const shownImages = 15;

function ImageList({ images }: { images: CachedImage[] }) {
  return (
    <ul className="space-y-0.5">
      {images.map((image) => (
        <li key={image.id} className="flex flex-wrap gap-x-3 font-mono" data-image={image.tags[0] ?? image.id}>
          <span className="break-all">{image.tags.length ? image.tags.join(", ") : "<untagged>"}</span>
          <span className="text-zinc-500">{formatBytes(image.sizeBytes)}</span>
          <span className="text-zinc-500" title={image.digests.join("\n") || image.id}>
            {shortDigest(image.digests[0] ?? image.id)}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** What a host has cached (from its agent) and its recent pre-pulls. */
export function HostImages({ images: listed, listedAt, pulls }: { images: CachedImage[]; listedAt: Date | null; pulls: ImagePull[] }) {
  // Tagged images first (what runs name); untagged ones (old layers of moved tags) after.
  const sorted = [...listed.filter((image) => image.tags.length), ...listed.filter((image) => !image.tags.length)];
  return (
    <div className="grid gap-4 text-xs md:grid-cols-2">
      <div data-testid="host-cached-images">
        <div className="mb-1 font-medium text-zinc-600 dark:text-zinc-300">
          Cached images <span className="font-normal text-zinc-500">{listedAt ? `(listed ${listedAt.toLocaleTimeString()})` : "(not listed yet)"}</span>
        </div>
        {sorted.length ? <ImageList images={sorted.slice(0, shownImages)} /> : <p className="text-zinc-500">none</p>}
        {sorted.length > shownImages ? (
          <details className="mt-0.5">
            <summary className="cursor-pointer text-zinc-500">and {sorted.length - shownImages} more</summary>
            <ImageList images={sorted.slice(shownImages)} />
          </details>
        ) : null}
      </div>
      <div data-testid="host-image-pulls">
        <div className="mb-1 font-medium text-zinc-600 dark:text-zinc-300">Pre-pulls</div>
        {pulls.length ? (
          <ul className="space-y-0.5">
            {pulls.map((pull) => (
              <li key={pull.id} className="flex flex-wrap gap-x-3" data-pull={pull.image} data-state={pull.state}>
                <span className="break-all font-mono">{pull.image}</span>
                <span className={pullStateStyle[pull.state]}>{pull.state}</span>
                {pull.digest ? <span className="font-mono text-zinc-500">{shortDigest(pull.digest)}</span> : null}
                <time className="text-zinc-500" dateTime={pull.createdAt.toISOString()}>
                  {pull.createdAt.toLocaleString()}
                </time>
                {pull.error ? <span className="basis-full text-red-600 dark:text-red-400">{pull.error}</span> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-zinc-500">none</p>
        )}
      </div>
    </div>
  );
}
