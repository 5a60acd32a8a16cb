import { Logger, OnModuleDestroy } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { Channel } from './identifiers';

/** A message to a person, by email or SMS. `event` and `data` describe it to machines (logs, tests). */
export interface OutgoingMessage {
  channel: Channel;
  /** Email address or mobile number. */
  target: string;
  subject: string;
  text: string;
  /** Stable event name, e.g. `verification.code.sent`. */
  event: string;
  data: Record<string, unknown>;
}

/**
 * Delivers messages to people. The gateways (SMTP, an SMS provider) live outside the system; this
 * class is the seam: inject `MessageSender`, and tests replace it with a capturing fake.
 */
export abstract class MessageSender {
  abstract send(message: OutgoingMessage): Promise<void>;
}

/**
 * The development channel: writes the message as one structured log line, code included, so a
 * developer can read it. With no SMS gateway configured it also stands in for SMS.
 */
export class LogMessageSender extends MessageSender {
  private readonly logger = new Logger('Messages');

  async send(message: OutgoingMessage): Promise<void> {
    const { channel, target, subject, text, event, data } = message;
    this.logger.log(
      { ...data, event, channel, target, subject, text },
      `${subject} (${channel} to ${target})`,
    );
  }
}

/** Email through SMTP (nodemailer), configured by SMTP_URL and MAIL_FROM. */
export class SmtpMessageSender extends MessageSender implements OnModuleDestroy {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    super();
    this.transport = createTransport(smtpUrl);
  }

  async send(message: OutgoingMessage): Promise<void> {
    if (message.channel !== 'email')
      throw new Error(`SmtpMessageSender cannot send ${message.channel} messages`);
    await this.transport.sendMail({
      from: this.from,
      to: message.target,
      subject: message.subject,
      text: message.text,
    });
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}

/** Sends each channel through its own sender. */
export class ChannelMessageSender extends MessageSender implements OnModuleDestroy {
  constructor(private readonly senders: Record<Channel, MessageSender>) {
    super();
  }

  send(message: OutgoingMessage): Promise<void> {
    return this.senders[message.channel].send(message);
  }

  onModuleDestroy(): void {
    for (const sender of new Set(Object.values(this.senders))) {
      if (sender instanceof SmtpMessageSender) sender.onModuleDestroy();
    }
  }
}

/** Email goes through SMTP when SMTP_URL is set; everything else is logged. */
export function createMessageSender(env: {
  SMTP_URL?: string;
  MAIL_FROM: string;
  NODE_ENV: string;
}): MessageSender {
  const log = new LogMessageSender();
  if (env.NODE_ENV === 'production') {
    new Logger('Messages').warn(
      env.SMTP_URL
        ? 'No SMS gateway is configured: SMS messages are written to the log'
        : 'SMTP_URL is unset: email and SMS messages are written to the log',
    );
  }
  if (!env.SMTP_URL) return log;
  return new ChannelMessageSender({ email: new SmtpMessageSender(env.SMTP_URL, env.MAIL_FROM), sms: log });
}
