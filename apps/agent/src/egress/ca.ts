// x509's dependency injection (tsyringe) needs the Reflect metadata API before it loads.
import "reflect-metadata";
import { randomBytes, webcrypto } from "node:crypto";
import { isIP } from "node:net";
import * as x509 from "@peculiar/x509";
import { normalizeHost } from "@bailey/protocol";

// A run's own certificate authority: the main container trusts it, and the proxy signs with it
// the certificates it shows for granted hosts. ECDSA P-256 throughout, because WebCrypto makes
// such a key and signs a leaf in milliseconds (RSA from pure JavaScript takes seconds).

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const dayMs = 24 * 60 * 60 * 1000;
// Clocks in containers and on hosts drift; a certificate that starts an hour early still works.
const clockSkewMs = 60 * 60 * 1000;

export interface PemPair {
  certPem: string;
  keyPem: string;
}

/** PEM as files have it: ending in a newline, so that several can be concatenated. */
const pem = (text: string) => (text.endsWith("\n") ? text : `${text}\n`);

function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f; // positive, as RFC 5280 asks
  return bytes.toString("hex");
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  return pem(x509.PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", key as webcrypto.CryptoKey), "PRIVATE KEY"));
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as unknown as CryptoKeyPair;
}

/** A new CA (certificate and PKCS#8 key, PEM) valid for `validDays`. */
export async function createCertificateAuthority(commonName: string, validDays = 30): Promise<PemPair> {
  const keys = await generateKeys();
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [commonName] }],
    notBefore: new Date(now - clockSkewMs),
    notAfter: new Date(now + validDays * dayMs),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: pem(certificate.toString("pem")), keyPem: await exportKeyPem(keys.privateKey) };
}

export class CertificateAuthorityError extends Error {
  override name = "CertificateAuthorityError";
}

export class CertificateAuthority {
  private constructor(
    readonly certPem: string,
    private readonly certificate: x509.X509Certificate,
    private readonly signingKey: CryptoKey,
    /** One key for every leaf this CA issues in this process: it never leaves the process. */
    private readonly leafKeys: CryptoKeyPair,
    private readonly leafKeyPem: string,
  ) {}

  static async load({ certPem, keyPem }: PemPair): Promise<CertificateAuthority> {
    let certificate: x509.X509Certificate;
    let signingKey: CryptoKey;
    try {
      certificate = new x509.X509Certificate(certPem);
    } catch (error) {
      throw new CertificateAuthorityError(`the CA certificate is not a PEM X.509 certificate (${(error as Error).message})`);
    }
    try {
      const der = x509.PemConverter.decodeFirst(keyPem);
      signingKey = (await webcrypto.subtle.importKey("pkcs8", der, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"])) as unknown as CryptoKey;
    } catch (error) {
      throw new CertificateAuthorityError(`the CA key is not a PEM PKCS#8 ECDSA P-256 private key (${(error as Error).message})`);
    }
    const leafKeys = await generateKeys();
    return new CertificateAuthority(pem(certificate.toString("pem")), certificate, signingKey, leafKeys, await exportKeyPem(leafKeys.privateKey));
  }

  /** A server certificate for `host` (a DNS name or an IP address), valid while the CA is. */
  issueServerCertificate(host: string): Promise<PemPair> {
    return this.issueServerCertificates([host]);
  }

  /** One server certificate naming every host in `hosts`; the first is its common name. */
  async issueServerCertificates(hosts: string[]): Promise<PemPair> {
    const names = hosts.map(normalizeHost);
    const name = names[0]!;
    const now = Date.now();
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject: [{ CN: [name] }],
      issuer: this.certificate.subject,
      notBefore: new Date(now - clockSkewMs),
      notAfter: new Date(Math.min(this.certificate.notAfter.getTime(), now + 30 * dayMs)),
      signingKey: this.signingKey,
      publicKey: this.leafKeys.publicKey,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: isIP(value) ? ("ip" as const) : ("dns" as const), value }))),
        await x509.AuthorityKeyIdentifierExtension.create(this.certificate),
      ],
    });
    return { certPem: pem(leaf.toString("pem")), keyPem: this.leafKeyPem };
  }
}
