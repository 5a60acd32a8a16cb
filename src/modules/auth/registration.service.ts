import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { AgreementAcceptance, AgreementDocument } from './agreement-acceptance.entity';
import { ClientContext } from './client-context';
import { CreatedUser, UserAccountsService } from './user-accounts.service';
import { VerificationCodeService } from './verification-code.service';

export interface Registration {
  username: string;
  password: string;
  email: string;
  phone: string;
  /** The code sent to `phone` for the purpose `register`. */
  code: string;
  /** Accepted version of each legal document. */
  agreements: Record<AgreementDocument, string>;
}

const AGREEMENT_DOCUMENTS: AgreementDocument[] = ['terms', 'privacy'];

/** Self-service sign-up: a verified mobile number, a policy-abiding password and accepted terms. */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly accounts: UserAccountsService,
    private readonly codes: VerificationCodeService,
  ) {}

  async register(client: ClientContext, input: Registration): Promise<CreatedUser> {
    // The password policy first: it reveals nothing and should not cost the person a code try. The
    // code next, before uniqueness, so only the holder of the phone can learn that an account exists.
    const prepared = await this.accounts.prepare(input);
    const codeId = await this.codes.check({
      channel: 'sms',
      target: input.phone,
      purpose: 'register',
      code: input.code,
    });

    return this.dataSource.transaction(async (manager) => {
      await this.codes.consume(manager, codeId);
      const user = await this.accounts.insert(manager, prepared);
      const acceptedAt = this.clock.now();
      await manager.insert(
        AgreementAcceptance,
        AGREEMENT_DOCUMENTS.map((document) => ({
          userId: user.id,
          document,
          version: input.agreements[document],
          acceptedAt,
          ip: client.ip,
          userAgent: client.userAgent,
        })),
      );
      return user;
    });
  }
}
