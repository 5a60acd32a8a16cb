import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { VerificationRequest } from './verification-request.entity';
import { DecideVerificationDto, toVerificationDto } from './verifications.dto';

const errorsOf = (body: object) =>
  validateSync(plainToInstance(DecideVerificationDto, body)).flatMap((e) =>
    Object.values(e.constraints ?? {}).map((message) => `${e.property}: ${message}`),
  );

describe('DecideVerificationDto', () => {
  it('needs a reason to reject, not to approve', () => {
    expect(errorsOf({ decision: 'approve' })).toEqual([]);
    expect(errorsOf({ decision: 'approve', reason: 'looks fine' })).toEqual([]);
    expect(errorsOf({ decision: 'reject', reason: 'blurry photo' })).toEqual([]);
    expect(errorsOf({ decision: 'reject' })).toEqual(['reason: reason is required to reject']);
    expect(errorsOf({ decision: 'reject', reason: '  ' })).toEqual([
      'reason: reason must be text of 1–500 characters',
    ]);
    expect(errorsOf({ decision: 'reject', reason: 'x'.repeat(501) })).toEqual([
      'reason: reason must be text of 1–500 characters',
    ]);
    expect(errorsOf({ decision: 'approve', reason: 7 })).toEqual([
      'reason: reason must be text of 1–500 characters',
    ]);
  });
});

describe('toVerificationDto', () => {
  it('copies only the named, masked fields of the snapshot', () => {
    const request = Object.assign(new VerificationRequest(), {
      id: 'r1',
      kind: 'real_name',
      subjectUserId: 'u1',
      subjectOrgId: null,
      status: 'pending',
      // A stray field must not pass through, whatever ended up in the stored document.
      snapshot: {
        realName: '张三',
        gender: 'female',
        birthDate: '1949-12-31',
        idNumberMasked: '110***********002X',
        idNumber: 'x',
      },
      submittedBy: 'u1',
      submittedAt: new Date('2025-01-01T00:00:00Z'),
      decidedBy: null,
      decidedAt: null,
      reason: null,
      note: null,
    });
    const dto = toVerificationDto(request);
    expect(dto.person).toEqual({
      realName: '张三',
      gender: 'female',
      birthDate: '1949-12-31',
      idNumberMasked: '110***********002X',
    });
    expect(dto.enterprise).toBeNull();
    expect(dto.submittedAt).toBe('2025-01-01T00:00:00.000Z');
  });
});
