import { Injectable } from '@nestjs/common';
import { basename } from 'node:path';
import { MediaUrlPolicy } from './media-url-policy';
import { PublishAttachment, PublishError } from './publish-connector';

export interface FetchedMedia {
  blob: Blob;
  filename: string;
}

/**
 * Downloads an attachment for a connector to upload. The size is capped while reading (never trusting
 * Content-Length alone), so a wrong or hostile URL cannot fill the process's memory. A missing file is
 * a permanent failure; a server or network hiccup is worth another attempt.
 */
@Injectable()
export class MediaFetcher {
  constructor(private readonly policy: MediaUrlPolicy) {}

  async fetch(
    attachment: PublishAttachment,
    options: { maxBytes: number; signal: AbortSignal },
  ): Promise<FetchedMedia> {
    const { maxBytes, signal } = options;
    await this.policy.assertFetchable(attachment.url);
    let response: Response;
    try {
      response = await fetch(attachment.url, { signal, redirect: 'error' });
    } catch (error) {
      throw new PublishError(
        `Could not download the attachment ${attachment.url}: ${failureReason(error)}`,
        true,
        'media.unreachable',
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      const retryable = response.status >= 500 || response.status === 429;
      throw new PublishError(
        `Downloading the attachment ${attachment.url} answered HTTP ${response.status}`,
        retryable,
        retryable ? 'media.unavailable' : 'media.not_found',
      );
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      await response.body?.cancel();
      throw tooLarge(attachment, maxBytes);
    }

    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for await (const chunk of response.body ?? []) {
        total += chunk.byteLength;
        if (total > maxBytes) throw tooLarge(attachment, maxBytes);
        chunks.push(chunk);
      }
    } catch (error) {
      if (error instanceof PublishError) throw error;
      throw new PublishError(
        `Downloading the attachment ${attachment.url} broke off: ${failureReason(error)}`,
        true,
        'media.unreachable',
      );
    }
    const type = attachment.mimeType ?? response.headers.get('content-type') ?? 'application/octet-stream';
    return { blob: new Blob(chunks, { type }), filename: filenameOf(attachment) };
  }
}

const tooLarge = (attachment: PublishAttachment, maxBytes: number) =>
  new PublishError(
    `The attachment ${attachment.url} is larger than ${Math.floor(maxBytes / 1024 / 1024)} MiB`,
    false,
    'media.too_large',
  );

/** The last path segment of the URL, or a name from the attachment's type when the path has none. */
function filenameOf(attachment: PublishAttachment): string {
  const name = basename(new URL(attachment.url).pathname);
  if (name && name !== '/') return name;
  return attachment.type === 'video' ? 'video.mp4' : attachment.type === 'image' ? 'image.jpg' : 'file';
}

/** The reason of an undici failure ("fetch failed" alone says nothing) or of a timeout. */
export function failureReason(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    if (error.name === 'TimeoutError') return 'timed out';
    if (error.name === 'AbortError') return 'aborted';
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}
