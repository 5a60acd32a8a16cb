import { Logger } from '@nestjs/common';
import {
  ChannelMessageSender,
  createMessageSender,
  LogMessageSender,
  MessageSender,
  OutgoingMessage,
} from './message-sender';

const message = (channel: 'sms' | 'email'): OutgoingMessage => ({
  channel,
  target: channel === 'sms' ? '13800138000' : 'li@example.com',
  subject: 'Your code',
  text: 'Your code is 123456',
  event: 'verification.code.sent',
  data: { code: '123456', purpose: 'register' },
});

class Recorder extends MessageSender {
  readonly sent: OutgoingMessage[] = [];
  async send(m: OutgoingMessage): Promise<void> {
    this.sent.push(m);
  }
}

describe('message senders', () => {
  afterEach(() => jest.restoreAllMocks());

  it('the log sender writes one structured line with the event and the code', async () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    await new LogMessageSender().send(message('sms'));
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0][0]).toMatchObject({
      event: 'verification.code.sent',
      channel: 'sms',
      target: '13800138000',
      code: '123456',
      purpose: 'register',
    });
  });

  it('routes each channel to its own sender', async () => {
    const email = new Recorder();
    const sms = new Recorder();
    const sender = new ChannelMessageSender({ email, sms });
    await sender.send(message('email'));
    await sender.send(message('sms'));
    expect(email.sent.map((m) => m.channel)).toEqual(['email']);
    expect(sms.sent.map((m) => m.channel)).toEqual(['sms']);
  });

  it('logs everything without SMTP_URL and mails email with it', () => {
    expect(createMessageSender({ MAIL_FROM: 'a@b.c', NODE_ENV: 'test' })).toBeInstanceOf(LogMessageSender);
    const routed = createMessageSender({
      SMTP_URL: 'smtp://localhost:2525',
      MAIL_FROM: 'a@b.c',
      NODE_ENV: 'test',
    });
    expect(routed).toBeInstanceOf(ChannelMessageSender);
    (routed as ChannelMessageSender).onModuleDestroy();
  });
});
