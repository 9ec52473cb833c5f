import { readFileSync } from "node:fs";

/**
 * Where a run's network gets its subnet once the engine's own address pools are used up.
 * Docker's defaults hold about 30 bridge networks, and every run (and every warm-pool
 * container) has its own, so a host with a higher capacity would refuse runs past the 30th.
 * The agent then carves small subnets out of this range itself, skipping any the engine or
 * the host's routing table already uses.
 */
export interface RunSubnetPool {
  /** The range, e.g. 10.213.0.0/16 (BAILEY_RUN_SUBNETS). */
  base: Cidr;
  /** Each run network's prefix length: /28 holds 13 containers besides the gateway, plenty for a run and its sidecars. */
  prefix: number;
}

export interface Cidr {
  address: number;
  prefix: number;
}

export const defaultRunSubnets = "10.213.0.0/16";
export const runSubnetPrefix = 28;

/** Parses "a.b.c.d/n" (IPv4), or says what is wrong with it. */
export function parseCidr(text: string): Cidr | string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  if (!match) return `"${text}" is not an IPv4 range in CIDR form, e.g. 10.213.0.0/16`;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return `"${text}" is not an IPv4 range in CIDR form, e.g. 10.213.0.0/16`;
  const address = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  if ((address & maskOf(prefix)) >>> 0 !== address) return `"${text}" has bits set past its /${prefix}: write it as ${formatCidr({ address: (address & maskOf(prefix)) >>> 0, prefix })}`;
  return { address, prefix };
}

/** The pool BAILEY_RUN_SUBNETS names; its range must hold at least 16 run networks. */
export function parseRunSubnetPool(text: string): RunSubnetPool | string {
  const base = parseCidr(text);
  if (typeof base === "string") return base;
  if (base.prefix > runSubnetPrefix - 4) return `"${text}" holds fewer than 16 run networks of /${runSubnetPrefix}: give a range of /${runSubnetPrefix - 4} or larger, e.g. 10.213.0.0/16`;
  return { base, prefix: runSubnetPrefix };
}

export function formatCidr(cidr: Cidr): string {
  return `${[24, 16, 8, 0].map((shift) => (cidr.address >>> shift) & 255).join(".")}/${cidr.prefix}`;
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const mask = maskOf(Math.min(a.prefix, b.prefix));
  return (a.address & mask) >>> 0 === (b.address & mask) >>> 0;
}

/** The pool's subnets in order, leaving out any that overlap one in use. */
export function* freeSubnets(pool: RunSubnetPool, used: Cidr[]): Generator<Cidr> {
  const count = 2 ** (pool.prefix - pool.base.prefix);
  const step = 2 ** (32 - pool.prefix);
  for (let index = 0; index < count; index++) {
    const candidate = { address: (pool.base.address + index * step) >>> 0, prefix: pool.prefix };
    if (!used.some((subnet) => overlaps(subnet, candidate))) yield candidate;
  }
}

/**
 * The host's routes (Linux /proc/net/route: little-endian hex destination and mask), so that a
 * run network never shadows a LAN the host reaches. The default route is left out: it overlaps everything.
 */
export function hostRoutes(table = readRouteTable()): Cidr[] {
  const routes: Cidr[] = [];
  for (const line of table.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8) continue;
    const destination = littleEndianHex(fields[1]!);
    const mask = littleEndianHex(fields[7]!);
    if (destination === null || mask === null || mask === 0) continue;
    const prefix = 32 - Math.log2((~mask >>> 0) + 1);
    if (Number.isInteger(prefix)) routes.push({ address: destination, prefix });
  }
  return routes;
}

function readRouteTable(): string {
  try {
    return readFileSync("/proc/net/route", "utf8");
  } catch {
    return "";
  }
}

function littleEndianHex(hex: string): number | null {
  if (!/^[0-9A-Fa-f]{8}$/.test(hex)) return null;
  const value = Number.parseInt(hex, 16);
  return (((value & 0xff) << 24) | ((value & 0xff00) << 8) | ((value >>> 8) & 0xff00) | (value >>> 24)) >>> 0;
}
