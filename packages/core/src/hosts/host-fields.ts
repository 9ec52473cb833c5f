import { z } from "zod";

/** Host fields shared by adding a host by hand and by enrollment; messages say how to fix. */
export const hostName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "A host name is 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit.");

export const hostKeyFingerprint = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "The host key fingerprint must look like SHA256:<43 base64 characters>; get it on the host with: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub");

// A DNS name or an IPv4/IPv6 literal: never anything a shell or ssh option parser could read.
export const hostAddress = z
  .string()
  .regex(/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*\.?|[0-9A-Fa-f:.]{2,45})$/, "The address must be a host name or an IP address, e.g. worker-1.internal or 10.0.0.7.");

export const sshPort = z.number().int().min(1, "sshPort is 1-65535").max(65535, "sshPort is 1-65535");
export const sshUser = z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, "sshUser must be a Unix user name such as bailey.");

export const hostLabels = z.record(
  z.string().regex(/^[a-z0-9.\-_/]{1,63}$/, "label keys are 1-63 lower-case letters, digits and . - _ /"),
  z.string().max(63, "label values are at most 63 characters"),
);

export const capacityRuns = z.number().int().min(1, "capacityRuns is at least 1").max(1000, "capacityRuns is at most 1000");
