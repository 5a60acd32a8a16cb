import { ApiProperty } from '@nestjs/swagger';
import { buildMessage, IsIn, IsString, MaxLength, ValidateBy, ValidationArguments } from 'class-validator';
import { Trim } from '../../common/validation';
import { Channel, CHANNELS, EMAIL_MAX_LENGTH, isValidTarget } from './identifiers';
import { VERIFICATION_PURPOSES, VerificationPurpose } from './verification-code.entity';

/** The target must fit the channel chosen in the same body: an email address, or a mainland mobile. */
function IsTargetOfChannel(): PropertyDecorator {
  return ValidateBy({
    name: 'isTargetOfChannel',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        const channel = (args?.object as { channel?: unknown } | undefined)?.channel;
        if (typeof value !== 'string' || (channel !== 'sms' && channel !== 'email')) return false;
        return isValidTarget(channel, value);
      },
      defaultMessage: buildMessage((each, args?: ValidationArguments) => {
        const channel = (args?.object as { channel?: unknown } | undefined)?.channel;
        return channel === 'email'
          ? `${each}$property must be an email address`
          : `${each}$property must be an 11-digit mainland mobile number (1[3-9]xxxxxxxxx)`;
      }),
    },
  });
}

export class SendVerificationCodeDto {
  @ApiProperty({ enum: CHANNELS, example: 'sms' })
  @IsIn(CHANNELS)
  channel: Channel;

  /** Email address for `email`, mainland mobile number for `sms`. */
  @ApiProperty({ example: '13800138000', maxLength: EMAIL_MAX_LENGTH })
  @Trim()
  @IsString()
  @MaxLength(EMAIL_MAX_LENGTH)
  @IsTargetOfChannel()
  target: string;

  @ApiProperty({ enum: VERIFICATION_PURPOSES, example: 'register' })
  @IsIn(VERIFICATION_PURPOSES)
  purpose: VerificationPurpose;
}
