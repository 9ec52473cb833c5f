import ssh2 from "ssh2";

export interface ClientKeyPair {
  /** OpenSSH private key (ed25519). */
  privateKey: string;
  /** One authorized_keys line: `ssh-ed25519 AAAA... bailey-control-plane`. */
  publicKey: string;
}

/** The control plane's own SSH identity, made once and kept by whoever runs it. */
export function generateClientKey(comment = "bailey-control-plane"): ClientKeyPair {
  const pair = ssh2.utils.generateKeyPairSync("ed25519", { comment });
  return { privateKey: pair.private, publicKey: pair.public.trim() };
}

/** The authorized_keys line for a private key, so hosts can be told which key to trust. */
export function publicKeyOf(privateKey: string, comment = "bailey-control-plane"): string {
  const parsed = ssh2.utils.parseKey(privateKey);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error)
    throw new Error(
      `The control plane's SSH private key cannot be read: ${key instanceof Error ? key.message : "no key found"}. Point BAILEY_SSH_PRIVATE_KEY_FILE at an unencrypted OpenSSH key (ssh-keygen -t ed25519 -N '').`,
    );
  return `${key.type} ${key.getPublicSSH().toString("base64")} ${comment}`;
}
