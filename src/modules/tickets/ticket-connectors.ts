import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { AppConfig } from '../../platform/config/app-config';
import { ConnectorName } from './message.dto';
import { TicketChannel } from './ticket.dto';

/** A public reply on its way to the customer. */
export interface OutgoingReply {
  messageId: string;
  ticketId: string;
  channel: TicketChannel;
  recipient: string | null;
  subject: string;
  body: string;
  attachments: { url: string; name: string | null }[];
}

export interface ConnectorReceipt {
  recipient: string | null;
  providerMessageId: string | null;
}

/** Sends public replies of one kind of channel. Throwing means "not sent": the outbox retries. */
export interface TicketConnector {
  readonly name: ConnectorName;
  send(reply: OutgoingReply): Promise<ConnectorReceipt>;
}

/** Sends nothing: what it would send is recorded as the delivery, for development, tests and channels with no gateway. */
export class SandboxConnector implements TicketConnector {
  readonly name = 'sandbox' as const;

  async send(reply: OutgoingReply): Promise<ConnectorReceipt> {
    return { recipient: reply.recipient, providerMessageId: null };
  }
}

/**
 * Email through SMTP (nodemailer, SMTP_URL and MAIL_FROM). The message id is derived from ours, so a
 * resend after a crash between the SMTP accept and our commit carries the same Message-ID and mail
 * clients show it once.
 */
export class EmailConnector implements TicketConnector {
  readonly name = 'email' as const;

  constructor(
    private readonly transport: Transporter,
    private readonly from: string,
  ) {}

  async send(reply: OutgoingReply): Promise<ConnectorReceipt> {
    if (!reply.recipient) throw new Error('The ticket has no customer email address to reply to');
    const links = reply.attachments.map((a) => `${a.name ?? 'Attachment'}: ${a.url}`);
    const info = await this.transport.sendMail({
      from: this.from,
      to: reply.recipient,
      subject: reply.subject,
      text: links.length > 0 ? `${reply.body}\n\n${links.join('\n')}` : reply.body,
      messageId: `<${reply.messageId}@tickets.daiyun>`,
      headers: { 'X-Daiyun-Ticket': reply.ticketId },
    });
    return { recipient: reply.recipient, providerMessageId: String(info.messageId ?? '') || null };
  }
}

/**
 * Which connector serves a channel: email through SMTP when SMTP_URL is configured, the sandbox for
 * every channel that has no gateway here (phone, web, Douyin DMs, WeChat, API) or when SMTP is not set.
 */
@Injectable()
export class TicketConnectors implements OnModuleDestroy {
  private readonly sandbox = new SandboxConnector();
  private readonly transport: Transporter | null;
  private readonly email: EmailConnector | null;

  constructor({ env }: AppConfig) {
    this.transport = env.SMTP_URL ? createTransport(env.SMTP_URL) : null;
    this.email = this.transport ? new EmailConnector(this.transport, env.MAIL_FROM) : null;
  }

  for(channel: TicketChannel): TicketConnector {
    return channel === 'email' && this.email ? this.email : this.sandbox;
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}
