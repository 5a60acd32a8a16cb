import { Injectable } from '@nestjs/common';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppConfig } from '../../../platform/config/app-config';
import { PublishError } from './publish-connector';

/** Addresses a server-side download must never reach unless an operator names the host explicitly. */
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv6');
}

const isInternal = (address: string): boolean => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return INTERNAL.check(mapped[1], 'ipv4');
  return INTERNAL.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
};

/**
 * Attachment URLs come from authors, and the publish job downloads them from inside the network: without
 * a check, an author could make the server fetch an internal address (metadata services, admin ports).
 * With `MEDIA_FETCH_ALLOWED_HOSTS` set, only those hosts are fetched; otherwise any host whose addresses
 * are all public. Redirects are not followed (a redirect could point inside).
 */
@Injectable()
export class MediaUrlPolicy {
  private readonly allowedHosts: ReadonlySet<string>;

  constructor(config: AppConfig) {
    this.allowedHosts = new Set(
      (config.env.MEDIA_FETCH_ALLOWED_HOSTS ?? '')
        .split(',')
        .map((host) => host.trim().toLowerCase())
        .filter(Boolean),
    );
  }

  async assertFetchable(url: string): Promise<void> {
    const { hostname } = new URL(url);
    const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (this.allowedHosts.size > 0) {
      if (!this.allowedHosts.has(host)) throw refused(url, 'its host is not in MEDIA_FETCH_ALLOWED_HOSTS');
      return;
    }
    const addresses = isIP(host) ? [host] : await this.resolve(url, host);
    if (addresses.some(isInternal)) throw refused(url, 'it points at an internal address');
  }

  private async resolve(url: string, host: string): Promise<string[]> {
    try {
      return (await lookup(host, { all: true })).map((entry) => entry.address);
    } catch {
      throw new PublishError(
        `Could not resolve the host of the attachment ${url}`,
        true,
        'media.unreachable',
      );
    }
  }
}

const refused = (url: string, why: string) =>
  new PublishError(`The attachment ${url} is not downloaded: ${why}`, false, 'media.refused');
